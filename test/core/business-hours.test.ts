import type { WorkingHour } from "../../src/chatwoot/chatwoot-types";
import { isWithinWorkingHours, localTimeIn } from "../../src/core/business-hours";

const SUN = 0;
const MON = 1;

function hours(dayOfWeek: number, open: string, close: string): WorkingHour {
  const [openHour = 0, openMinutes = 0] = open.split(":").map(Number);
  const [closeHour = 0, closeMinutes = 0] = close.split(":").map(Number);
  return { dayOfWeek, openAllDay: false, closedAllDay: false, openHour, openMinutes, closeHour, closeMinutes };
}

function closedAllDay(dayOfWeek: number): WorkingHour {
  return { ...hours(dayOfWeek, "09:00", "17:00"), closedAllDay: true };
}

function openAllDay(dayOfWeek: number): WorkingHour {
  return { ...hours(dayOfWeek, "00:00", "00:00"), openAllDay: true };
}

/** Monday to Friday 09:00–17:00, weekend closed, as Chatwoot's default working hours. */
const OFFICE_WEEK: WorkingHour[] = [closedAllDay(0), ...[1, 2, 3, 4, 5].map((day) => hours(day, "09:00", "17:00")), closedAllDay(6)];

describe("isWithinWorkingHours", () => {
  it.each([
    { name: "one second before opening", at: "2024-01-08T08:59:59Z", open: false },
    { name: "at opening, HH:MM:00", at: "2024-01-08T09:00:00Z", open: true },
    { name: "at noon", at: "2024-01-08T12:00:00Z", open: true },
    { name: "at closing, HH:MM:00 (included)", at: "2024-01-08T17:00:00Z", open: true },
    { name: "one second after closing", at: "2024-01-08T17:00:01Z", open: false },
    { name: "on a Saturday closed all day", at: "2024-01-13T12:00:00Z", open: false },
    { name: "on a Sunday closed all day", at: "2024-01-07T12:00:00Z", open: false },
  ])("decides Chatwoot's way in UTC $name: $open", ({ at, open }) => {
    expect(isWithinWorkingHours(new Date(at), "UTC", OFFICE_WEEK)).toBe(open);
  });

  it.each([
    { name: "Friday 09:00 EST (UTC-5) before the spring change", at: "2024-03-08T14:00:00Z", open: true },
    { name: "Friday 08:59:59 EST", at: "2024-03-08T13:59:59Z", open: false },
    { name: "Monday 09:00 EDT (UTC-4) after the spring change", at: "2024-03-11T13:00:00Z", open: true },
    { name: "Monday 08:59:59 EDT", at: "2024-03-11T12:59:59Z", open: false },
    { name: "Monday 17:00 EDT", at: "2024-03-11T21:00:00Z", open: true },
    { name: "Monday 17:00:01 EDT", at: "2024-03-11T21:00:01Z", open: false },
    { name: "Friday 17:00 EDT before the autumn change", at: "2024-11-01T21:00:00Z", open: true },
    { name: "Monday 17:00 EST after the autumn change (22:00 UTC)", at: "2024-11-04T22:00:00Z", open: true },
    { name: "Monday 16:00:01 EST (17:00:01 if it were still EDT)", at: "2024-11-04T21:00:01Z", open: true },
    { name: "Monday 17:00:01 EST", at: "2024-11-04T22:00:01Z", open: false },
  ])("follows daylight saving time in America/New_York: $name → $open", ({ at, open }) => {
    expect(isWithinWorkingHours(new Date(at), "America/New_York", OFFICE_WEEK)).toBe(open);
  });

  it.each([
    { name: "Asia/Kolkata (UTC+5:30) at 09:00", zone: "Asia/Kolkata", at: "2024-01-08T03:30:00Z", open: true },
    { name: "Asia/Kolkata at 08:59:59", zone: "Asia/Kolkata", at: "2024-01-08T03:29:59Z", open: false },
    { name: "Asia/Kathmandu (UTC+5:45) at 09:00", zone: "Asia/Kathmandu", at: "2024-01-08T03:15:00Z", open: true },
    { name: "Asia/Kathmandu at 08:59:59", zone: "Asia/Kathmandu", at: "2024-01-08T03:14:59Z", open: false },
    { name: "Pacific/Kiritimati (UTC+14): Sunday in UTC, Monday 09:00 there", zone: "Pacific/Kiritimati", at: "2024-01-07T19:00:00Z", open: true },
    { name: "Pacific/Pago_Pago (UTC-11): Tuesday in UTC, Monday 17:00 there", zone: "Pacific/Pago_Pago", at: "2024-01-09T04:00:00Z", open: true },
    { name: "America/Los_Angeles (UTC-8): Saturday 01:00 in UTC, Friday 17:00 there", zone: "America/Los_Angeles", at: "2024-01-13T01:00:00Z", open: true },
    { name: "America/Los_Angeles: Monday 16:00 in UTC, Monday 08:00 there", zone: "America/Los_Angeles", at: "2024-01-08T16:00:00Z", open: false },
    { name: "Australia/Lord_Howe in summer (UTC+11) at Monday 09:00", zone: "Australia/Lord_Howe", at: "2024-01-07T22:00:00Z", open: true },
    { name: "Australia/Lord_Howe in winter (UTC+10:30) at Monday 09:00", zone: "Australia/Lord_Howe", at: "2024-07-07T22:30:00Z", open: true },
    { name: "Australia/Lord_Howe in winter at Monday 08:59:59", zone: "Australia/Lord_Howe", at: "2024-07-07T22:29:59Z", open: false },
    { name: "Europe/Berlin in summer (UTC+2) at 17:00", zone: "Europe/Berlin", at: "2024-07-08T15:00:00Z", open: true },
    { name: "Europe/Berlin in summer at 17:00:01", zone: "Europe/Berlin", at: "2024-07-08T15:00:01Z", open: false },
    { name: "Europe/Berlin in winter (UTC+1) at 17:00", zone: "Europe/Berlin", at: "2024-01-08T16:00:00Z", open: true },
  ])("reads the weekday and time in the inbox's zone: $name → $open", ({ zone, at, open }) => {
    expect(isWithinWorkingHours(new Date(at), zone, OFFICE_WEEK)).toBe(open);
  });

  it.each([
    { name: "02:30 CEST, first pass", at: "2024-10-27T00:30:00Z" },
    { name: "02:30 CET, second pass", at: "2024-10-27T01:30:00Z" },
  ])("counts the repeated hour of the autumn change as open both times ($name)", ({ at }) => {
    expect(isWithinWorkingHours(new Date(at), "Europe/Berlin", [hours(SUN, "02:00", "02:59")])).toBe(true);
  });

  it.each([
    { name: "01:59:59 CET, just before the change", at: "2024-03-31T00:59:59Z" },
    { name: "03:00:00 CEST, just after the change", at: "2024-03-31T01:00:00Z" },
  ])("is never open in the hour the spring change skips ($name)", ({ at }) => {
    expect(isWithinWorkingHours(new Date(at), "Europe/Berlin", [hours(SUN, "02:00", "02:59")])).toBe(false);
  });

  it.each([
    { name: "00:00:00", at: "2024-01-08T00:00:00Z", open: true },
    { name: "00:59:59", at: "2024-01-08T00:59:59Z", open: true },
    { name: "01:00:01", at: "2024-01-08T01:00:01Z", open: false },
  ])("handles a day that opens at midnight: $name → $open", ({ at, open }) => {
    expect(isWithinWorkingHours(new Date(at), "UTC", [hours(MON, "00:00", "01:00")])).toBe(open);
  });

  it.each(["2024-01-08T00:00:00Z", "2024-01-08T12:34:56Z", "2024-01-08T23:59:59Z"])("is open all day on a day marked open all day (%s)", (at) => {
    expect(isWithinWorkingHours(new Date(at), "UTC", [openAllDay(MON)])).toBe(true);
  });

  it("closes at 23:59:00 a day that Chatwoot stores as 00:00–23:59 without the open-all-day flag", () => {
    expect(isWithinWorkingHours(new Date("2024-01-08T23:59:00Z"), "UTC", [hours(MON, "00:00", "23:59")])).toBe(true);
    expect(isWithinWorkingHours(new Date("2024-01-08T23:59:30Z"), "UTC", [hours(MON, "00:00", "23:59")])).toBe(false);
  });

  it("is closed on a day marked both closed all day and open all day", () => {
    expect(isWithinWorkingHours(new Date("2024-01-08T12:00:00Z"), "UTC", [{ ...openAllDay(MON), closedAllDay: true }])).toBe(false);
  });

  it("is closed on a day without a row", () => {
    expect(isWithinWorkingHours(new Date("2024-01-08T12:00:00Z"), "UTC", [hours(2, "00:00", "23:59")])).toBe(false);
    expect(isWithinWorkingHours(new Date("2024-01-08T12:00:00Z"), "UTC", [])).toBe(false);
  });

  it.each(["Mars/Olympus_Mons", "", "UTC+2"])("reads the unknown zone %p as UTC", (zone) => {
    expect(isWithinWorkingHours(new Date("2024-01-08T09:00:00Z"), zone, OFFICE_WEEK)).toBe(true);
    expect(isWithinWorkingHours(new Date("2024-01-08T08:59:59Z"), zone, OFFICE_WEEK)).toBe(false);
  });
});

describe("localTimeIn", () => {
  it.each([
    { zone: "UTC", at: "2024-01-07T00:00:00Z", dayOfWeek: 0, secondsOfDay: 0 },
    { zone: "UTC", at: "2024-01-13T23:59:59Z", dayOfWeek: 6, secondsOfDay: 86_399 },
    { zone: "Asia/Tokyo", at: "2024-01-07T15:00:00Z", dayOfWeek: 1, secondsOfDay: 0 },
    { zone: "America/Sao_Paulo", at: "2024-01-08T02:30:15Z", dayOfWeek: 0, secondsOfDay: 23 * 3600 + 30 * 60 + 15 },
  ])("gives weekday $dayOfWeek and second $secondsOfDay in $zone at $at", ({ zone, at, dayOfWeek, secondsOfDay }) => {
    expect(localTimeIn(zone, new Date(at))).toEqual({ dayOfWeek, secondsOfDay });
  });

  it("gives nothing for a zone this runtime does not know", () => {
    expect(localTimeIn("Nowhere/Atlantis", new Date("2024-01-08T00:00:00Z"))).toBeUndefined();
  });
});
