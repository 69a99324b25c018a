import type { WorkingHour } from "../chatwoot/chatwoot-types";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

interface LocalTime {
  dayOfWeek: number;
  secondsOfDay: number;
}

/** The wall-clock day and time in an IANA zone; undefined if the zone is unknown to this runtime. */
export function localTimeIn(timezone: string, now: Date): LocalTime | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
  } catch {
    return undefined;
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((item) => item.type === type)?.value ?? "";
  const dayOfWeek = WEEKDAYS.indexOf(part("weekday"));
  const seconds = Number(part("hour")) * 3600 + Number(part("minute")) * 60 + Number(part("second"));
  return dayOfWeek < 0 || !Number.isFinite(seconds) ? undefined : { dayOfWeek, secondsOfDay: seconds };
}

/**
 * Whether an inbox is open, as Chatwoot decides it (working_hour.rb#open_at?):
 * the row for today's weekday in the inbox's zone; closed all day is closed;
 * otherwise open from HH:MM:00 to the closing HH:MM:00, both ends included.
 * A day without a row counts as closed. An unknown zone is read as UTC.
 */
export function isWithinWorkingHours(now: Date, timezone: string, workingHours: readonly WorkingHour[]): boolean {
  const local = localTimeIn(timezone, now) ?? localTimeIn("UTC", now);
  if (local === undefined) return true;
  const today = workingHours.find((row) => row.dayOfWeek === local.dayOfWeek);
  if (today === undefined || today.closedAllDay) return false;
  if (today.openAllDay) return true;
  const opens = today.openHour * 3600 + today.openMinutes * 60;
  const closes = today.closeHour * 3600 + today.closeMinutes * 60;
  return local.secondsOfDay >= opens && local.secondsOfDay <= closes;
}
