import type { WorkingHour } from "../chatwoot/chatwoot-types";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

interface LocalTime {
  dayOfWeek: number;
  secondsOfDay: number;
}

/** An IANA zone's wall clock: an instant → its local date and time, written as if it were UTC (ms). */
type WallClock = (instant: number) => { wall: number; dayOfWeek: number } | undefined;

function wallClockIn(timezone: string): WallClock | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone: timezone, weekday: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" });
  } catch {
    return undefined;
  }
  return (instant) => {
    const parts = format.formatToParts(new Date(instant));
    const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((item) => item.type === type)?.value ?? NaN);
    const dayOfWeek = WEEKDAYS.indexOf(parts.find((item) => item.type === "weekday")?.value ?? "");
    const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second")) + (((instant % 1000) + 1000) % 1000);
    return dayOfWeek < 0 || !Number.isFinite(wall) ? undefined : { wall, dayOfWeek };
  };
}

/** The wall-clock day and time in an IANA zone; undefined if the zone is unknown to this runtime. */
export function localTimeIn(timezone: string, now: Date): LocalTime | undefined {
  const local = wallClockIn(timezone)?.(now.getTime());
  if (local === undefined) return undefined;
  const ms = ((local.wall % DAY_MS) + DAY_MS) % DAY_MS;
  return { dayOfWeek: local.dayOfWeek, secondsOfDay: Math.floor(ms / 1000) };
}

/**
 * The instant today's `HH:MM:00.000` stands for, as ActiveSupport resolves
 * `now.change(hour:, min:)` (time_with_zone.rb `change` and
 * `get_period_and_ensure_valid_local_time`): with now's UTC offset if that
 * offset is valid for it, else the valid one (the earlier instant if two);
 * a time the spring change skips moves one hour later, until it exists.
 */
function instantOf(clock: WallClock, wall: number, nowOffset: number): number {
  const offsetAt = (instant: number): number | undefined => {
    const local = clock(instant);
    return local === undefined ? undefined : local.wall - instant;
  };
  for (let target = wall, tries = 0; tries < 48; target += HOUR_MS, tries += 1) {
    const candidates = [nowOffset, offsetAt(target - nowOffset - DAY_MS), offsetAt(target - nowOffset + DAY_MS)];
    const valid = candidates.filter((offset): offset is number => offset !== undefined && offsetAt(target - offset) === offset);
    if (valid.length > 0) return target - (valid.includes(nowOffset) ? nowOffset : Math.max(...valid));
  }
  return wall - nowOffset;
}

/** Chatwoot stores an open-all-day row as 00:00–23:59 (working_hour.rb `ensure_open_all_day_hours`), and open_at? reads only the hours. */
const OPEN_ALL_DAY = { openHour: 0, openMinutes: 0, closeHour: 23, closeMinutes: 59 };

/**
 * Whether an inbox is open, exactly as Chatwoot decides it (issue 10, fact C13).
 * chatwoot/chatwoot `app/models/concerns/out_of_offisable.rb` `out_of_office?`:
 * `working_hours.today.closed_now?`, the row of today's weekday in the inbox's zone.
 * `app/models/working_hour.rb` `open_at?` (C13 cites lines 49-56 of 4.15.1):
 * closed all day is closed; otherwise `now.change(hour:, min:)` for the opening
 * and the closing time, which zeroes seconds and fractions, and `between?`,
 * which includes both ends. So a day open 09:00–17:00 is open from 09:00:00.000
 * to 17:00:00.000 and closed at 17:00:00.001; an open-all-day day (00:00–23:59,
 * lines 79-86) is closed from 23:59:00.001 to midnight. The comparison is of
 * instants, with the boundaries resolved as ActiveSupport does on daylight-saving
 * days (instantOf). A day without a row counts as closed (Chatwoot creates all
 * seven with the inbox); an unknown zone is read as UTC (Chatwoot accepts only
 * TZInfo identifiers, inbox.rb `validates :timezone`).
 */
export function isWithinWorkingHours(now: Date, timezone: string, workingHours: readonly WorkingHour[]): boolean {
  const instant = now.getTime();
  const clock = wallClockIn(timezone) ?? wallClockIn("UTC");
  const local = clock?.(instant);
  if (clock === undefined || local === undefined) return true;
  const today = workingHours.find((row) => row.dayOfWeek === local.dayOfWeek);
  if (today === undefined || today.closedAllDay) return false;
  const hours = today.openAllDay ? OPEN_ALL_DAY : today;
  const midnight = local.wall - (((local.wall % DAY_MS) + DAY_MS) % DAY_MS);
  const nowOffset = local.wall - instant;
  const opens = instantOf(clock, midnight + hours.openHour * HOUR_MS + hours.openMinutes * MINUTE_MS, nowOffset);
  const closes = instantOf(clock, midnight + hours.closeHour * HOUR_MS + hours.closeMinutes * MINUTE_MS, nowOffset);
  return instant >= opens && instant <= closes;
}
