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
    { name: "00:00:00", at: "2024-01-08T00:00:00Z", open: true },
    { name: "00:59:59", at: "2024-01-08T00:59:59Z", open: true },
    { name: "01:00:01", at: "2024-01-08T01:00:01Z", open: false },
  ])("handles a day that opens at midnight: $name → $open", ({ at, open }) => {
    expect(isWithinWorkingHours(new Date(at), "UTC", [hours(MON, "00:00", "01:00")])).toBe(open);
  });

  it.each(["2024-01-08T00:00:00Z", "2024-01-08T12:34:56Z", "2024-01-08T23:59:00Z"])("is open on a day marked open all day until 23:59:00 (%s)", (at) => {
    expect(isWithinWorkingHours(new Date(at), "UTC", [openAllDay(MON)])).toBe(true);
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

/**
 * Issue 10, fact C13: Chatwoot's own rule, read in chatwoot/chatwoot
 * app/models/working_hour.rb `open_at?` (C13: lines 49-56) and
 * `ensure_open_all_day_hours` (lines 79-86), with ActiveSupport's
 * TimeWithZone#change: the bounds are HH:MM:00.000, both included; "open all
 * day" is stored as 00:00–23:59 and is not special in the check.
 */
describe("isWithinWorkingHours at Chatwoot's minute boundaries (C13)", () => {
  const TUE = 2;
  const at = (iso: string, zone: string, rows: WorkingHour[]): boolean => isWithinWorkingHours(new Date(iso), zone, rows);

  it.each([
    { name: "00:00:00.000", iso: "2024-01-08T00:00:00.000Z", open: true },
    { name: "23:58:00", iso: "2024-01-08T23:58:00.000Z", open: true },
    { name: "23:58:59.999", iso: "2024-01-08T23:58:59.999Z", open: true },
    { name: "23:59:00.000 (the stored closing time, included)", iso: "2024-01-08T23:59:00.000Z", open: true },
    { name: "23:59:00.001", iso: "2024-01-08T23:59:00.001Z", open: false },
    { name: "23:59:30", iso: "2024-01-08T23:59:30.000Z", open: false },
    { name: "23:59:59.999", iso: "2024-01-08T23:59:59.999Z", open: false },
  ])("open all day (stored 00:00–23:59) at $name → $open", ({ iso, open }) => {
    expect(at(iso, "UTC", [openAllDay(MON), closedAllDay(TUE)])).toBe(open);
  });

  it.each([
    { name: "open all day", tuesday: openAllDay(TUE), open: true },
    { name: "closed all day", tuesday: closedAllDay(TUE), open: false },
    { name: "09:00–17:00", tuesday: hours(TUE, "09:00", "17:00"), open: false },
    { name: "00:00–00:00", tuesday: hours(TUE, "00:00", "00:00"), open: true },
  ])("at 00:00:00.000 the next day follows the next day's row ($name → $open)", ({ tuesday, open }) => {
    expect(at("2024-01-09T00:00:00.000Z", "UTC", [openAllDay(MON), tuesday])).toBe(open);
  });

  it.each([
    { name: "08:59:59.999", iso: "2024-01-08T08:59:59.999Z", close: "17:00", open: false },
    { name: "09:00:00.000", iso: "2024-01-08T09:00:00.000Z", close: "17:00", open: true },
    { name: "16:59:59.999", iso: "2024-01-08T16:59:59.999Z", close: "17:00", open: true },
    { name: "17:00:00.000", iso: "2024-01-08T17:00:00.000Z", close: "17:00", open: true },
    { name: "17:00:00.001", iso: "2024-01-08T17:00:00.001Z", close: "17:00", open: false },
    { name: "17:00:00.500", iso: "2024-01-08T17:00:00.500Z", close: "17:00", open: false },
    { name: "17:29:59", iso: "2024-01-08T17:29:59.000Z", close: "17:30", open: true },
    { name: "17:30:00.000", iso: "2024-01-08T17:30:00.000Z", close: "17:30", open: true },
    { name: "17:30:00.999", iso: "2024-01-08T17:30:00.999Z", close: "17:30", open: false },
    { name: "23:59:00.000", iso: "2024-01-08T23:59:00.000Z", close: "23:59", open: true },
    { name: "23:59:00.001", iso: "2024-01-08T23:59:00.001Z", close: "23:59", open: false },
    { name: "23:59:30", iso: "2024-01-08T23:59:30.000Z", close: "23:59", open: false },
  ])("09:00–$close at $name → $open", ({ iso, close, open }) => {
    expect(at(iso, "UTC", [hours(MON, "09:00", close)])).toBe(open);
  });

  it("reads an open-all-day row as 00:00–23:59 whatever hours come with it (Chatwoot overwrites them on save)", () => {
    const flagged: WorkingHour = { ...hours(MON, "09:00", "10:00"), openAllDay: true };
    expect(at("2024-01-08T08:00:00.000Z", "UTC", [flagged])).toBe(true);
    expect(at("2024-01-08T23:59:00.000Z", "UTC", [flagged])).toBe(true);
    expect(at("2024-01-08T23:59:00.001Z", "UTC", [flagged])).toBe(false);
  });

  it.each([
    { name: "New York, Monday 23:59:00 EST", zone: "America/New_York", iso: "2024-01-09T04:59:00.000Z", open: true },
    { name: "New York, Monday 23:59:30 EST", zone: "America/New_York", iso: "2024-01-09T04:59:30.000Z", open: false },
    { name: "New York, Tuesday 00:00 EST (closed all day)", zone: "America/New_York", iso: "2024-01-09T05:00:00.000Z", open: false },
    { name: "Kolkata, Monday 23:59:00 IST", zone: "Asia/Kolkata", iso: "2024-01-08T18:29:00.000Z", open: true },
    { name: "Kolkata, Monday 23:59:00.001 IST", zone: "Asia/Kolkata", iso: "2024-01-08T18:29:00.001Z", open: false },
    { name: "Kathmandu, Monday 23:59:45 (UTC+5:45)", zone: "Asia/Kathmandu", iso: "2024-01-08T18:14:45.000Z", open: false },
    { name: "Kiritimati, Monday 23:59:00 (UTC+14; Monday 09:59 UTC)", zone: "Pacific/Kiritimati", iso: "2024-01-08T09:59:00.000Z", open: true },
    { name: "Kiritimati, Monday 23:59:01 (UTC+14)", zone: "Pacific/Kiritimati", iso: "2024-01-08T09:59:01.000Z", open: false },
  ])("open all day in the inbox's zone: $name → $open", ({ zone, iso, open }) => {
    expect(at(iso, zone, [openAllDay(MON), closedAllDay(TUE)])).toBe(open);
  });

  // A bound the spring change skips moves one hour later (ActiveSupport's
  // get_period_and_ensure_valid_local_time), as Chatwoot's `change(hour:, min:)` does.
  it.each([
    { name: "02:00–02:59 at 01:59:59 CET, before the change", iso: "2024-03-31T00:59:59Z", open: "02:00", close: "02:59", result: false },
    { name: "02:00–02:59 at 03:00:00 CEST (both bounds moved to 03:00–03:59)", iso: "2024-03-31T01:00:00Z", open: "02:00", close: "02:59", result: true },
    { name: "02:00–02:59 at 03:59:00 CEST", iso: "2024-03-31T01:59:00Z", open: "02:00", close: "02:59", result: true },
    { name: "02:00–02:59 at 03:59:00.001 CEST", iso: "2024-03-31T01:59:00.001Z", open: "02:00", close: "02:59", result: false },
    { name: "00:00–02:30 at 03:15 CEST (closes 03:30)", iso: "2024-03-31T01:15:00Z", open: "00:00", close: "02:30", result: true },
    { name: "00:00–02:30 at 03:30:00.001 CEST", iso: "2024-03-31T01:30:00.001Z", open: "00:00", close: "02:30", result: false },
    { name: "02:30–17:00 at 03:10 CEST (opens 03:30)", iso: "2024-03-31T01:10:00Z", open: "02:30", close: "17:00", result: false },
    { name: "02:30–17:00 at 03:30 CEST", iso: "2024-03-31T01:30:00Z", open: "02:30", close: "17:00", result: true },
  ])("Europe/Berlin on the spring change: $name → $result", ({ iso, open, close, result }) => {
    expect(at(iso, "Europe/Berlin", [hours(SUN, open, close)])).toBe(result);
  });

  it.each([
    { name: "02:45 LHDT, in the half hour after the change (02:10 moved to 03:10)", iso: "2024-10-05T15:45:00Z", result: false },
    { name: "03:10 LHDT", iso: "2024-10-05T16:10:00Z", result: true },
  ])("Australia/Lord_Howe's 30-minute spring change moves a skipped bound a whole hour: $name → $result", ({ iso, result }) => {
    expect(at(iso, "Australia/Lord_Howe", [hours(SUN, "02:10", "05:00")])).toBe(result);
  });

  it.each([
    { name: "00:00–02:30 at 02:45 CEST, first pass", iso: "2024-10-27T00:45:00Z", open: "00:00", close: "02:30", result: false },
    { name: "00:00–02:30 at 02:15 CET, second pass", iso: "2024-10-27T01:15:00Z", open: "00:00", close: "02:30", result: true },
    { name: "02:30–17:00 at 02:15 CET, second pass", iso: "2024-10-27T01:15:00Z", open: "02:30", close: "17:00", result: false },
    { name: "02:30–17:00 at 02:45 CEST, first pass", iso: "2024-10-27T00:45:00Z", open: "02:30", close: "17:00", result: true },
  ])("Europe/Berlin on the autumn change reads a repeated bound in the current offset: $name → $result", ({ iso, open, close, result }) => {
    expect(at(iso, "Europe/Berlin", [hours(SUN, open, close)])).toBe(result);
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
