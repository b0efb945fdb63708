import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ianaOffset } from './zone-offsets';

/*
 * SLA clocks on business calendars.
 *
 * The model, in one paragraph: every local date of the calendar's time zone has a list of
 * opening windows (its weekday's windows, replaced by an extra working day's windows, or none
 * on a holiday). A window is the half-open span of real time [start, end) that begins the first
 * time the local wall clock shows `start` on that date and ends the first time it shows `end`
 * ("24:00" is the next date's 00:00). So business time is real elapsed time while a window is
 * open: a 00:00-24:00 window lasts 23 h on a spring-forward day and 25 h on a fall-back day. A
 * wall time skipped by a forward jump resolves to the instant of the jump, which keeps windows
 * ordered and contiguous (01:00-02:30 then 02:30-05:00 on 2026-03-08 in New York has no hole).
 *
 * Everything walks window by window, never minute by minute.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * How many consecutive closed local days `addBusinessMinutes` crosses before it decides the
 * calendar can never open again (every date a holiday, say) and throws instead of spinning.
 */
const MAX_CONSECUTIVE_CLOSED_DAYS = 3 * 366;

/**
 * How many local days `addBusinessMinutes` walks at most. SLAs are hours or days; a request for
 * a century of business time is a bug upstream, and answering it would block the event loop.
 */
const MAX_WALK_DAYS = 100 * 366;

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const START_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** "HH:mm" -> minutes after local midnight; "24:00" -> 1440. Callers pass validated strings. */
function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const openingWindowSchema = z
  .object({
    start: z.string().regex(START_TIME, { error: 'must be a local time "HH:mm" from 00:00 to 23:59' }),
    end: z.string().regex(END_TIME, { error: 'must be a local time "HH:mm" from 00:01 to 24:00' }),
  })
  .strict()
  .superRefine((window, ctx) => {
    // zod still runs refinements after a format issue; only compare well-formed times.
    if (!START_TIME.test(window.start) || !END_TIME.test(window.end)) return;
    if (minutesOfDay(window.end) <= minutesOfDay(window.start)) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `must be later than start (${window.start}); a window cannot cross midnight, so split it at 24:00`,
      });
    }
  });

type OpeningWindow = z.output<typeof openingWindowSchema>;

/** Reports every window that starts before an earlier-starting window of the same day has ended. */
function rejectOverlaps(windows: readonly OpeningWindow[], ctx: z.RefinementCtx): void {
  const wellFormed = windows
    .map((window, index) => ({ window, index }))
    .filter(({ window }) => START_TIME.test(window.start) && END_TIME.test(window.end))
    .sort((a, b) => minutesOfDay(a.window.start) - minutesOfDay(b.window.start));
  let latest: { window: OpeningWindow; index: number } | undefined;
  for (const current of wellFormed) {
    if (latest !== undefined && minutesOfDay(current.window.start) < minutesOfDay(latest.window.end)) {
      ctx.addIssue({
        code: 'custom',
        path: [current.index],
        message: `overlaps window ${latest.index} (${latest.window.start}-${latest.window.end}) of the same day`,
      });
    }
    if (latest === undefined || minutesOfDay(current.window.end) > minutesOfDay(latest.window.end)) {
      latest = current;
    }
  }
}

const dayWindowsSchema = z.array(openingWindowSchema).superRefine(rejectOverlaps);

const localDateSchema = z.iso.date({ error: 'must be a real local date "YYYY-MM-DD"' });

const weeklyScheduleSchema = z
  .object({
    mon: dayWindowsSchema.optional(),
    tue: dayWindowsSchema.optional(),
    wed: dayWindowsSchema.optional(),
    thu: dayWindowsSchema.optional(),
    fri: dayWindowsSchema.optional(),
    sat: dayWindowsSchema.optional(),
    sun: dayWindowsSchema.optional(),
  })
  .strict();

const extraWorkingDaySchema = z
  .object({
    date: localDateSchema,
    windows: dayWindowsSchema.min(1, { error: 'an extra working day needs at least one window' }),
  })
  .strict();

/**
 * One business calendar, as an admin writes it in rules/calendars: the IANA time zone its
 * windows are read in, weekly opening windows (several per day allowed, half-open, "24:00"
 * allowed as an end), holidays closed all day, and extra working days (such as China's
 * make-up working Saturdays) whose windows replace the weekday's. `alwaysOpen` calendars are
 * 24/7 and ignore the rest.
 *
 * Beyond the shape it rejects, each with the path of the offending field: an unknown time zone,
 * a window whose end is not after its start, overlapping windows of one day (touching is fine),
 * impossible dates, a date that is both a holiday and an extra working day, a date listed twice
 * as an extra working day, and a calendar that is not `alwaysOpen` yet has no weekly window
 * (it could never meet a deadline).
 */
export const businessCalendarSchema = z
  .object({
    id: z.string().min(1),
    description: z.string().optional(),
    timeZone: z.string().superRefine((timeZone, ctx) => {
      if (!IANAZone.isValidZone(timeZone)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${timeZone}" is not an IANA time zone known to this runtime (e.g. "Asia/Shanghai")`,
        });
      }
    }),
    alwaysOpen: z.boolean().optional(),
    weekly: weeklyScheduleSchema.optional(),
    holidays: z.array(localDateSchema).optional(),
    extraWorkingDays: z.array(extraWorkingDaySchema).optional(),
  })
  .strict()
  .superRefine((calendar, ctx) => {
    if (calendar.alwaysOpen !== true) {
      const weeklyWindowCount = WEEKDAYS.reduce(
        (count, weekday) => count + (calendar.weekly?.[weekday]?.length ?? 0),
        0,
      );
      if (weeklyWindowCount === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['weekly'],
          message:
            'a calendar that is not alwaysOpen needs at least one weekly window, or no deadline could ever be met',
        });
      }
    }
    const holidays = new Set(calendar.holidays ?? []);
    const firstIndexByDate = new Map<string, number>();
    (calendar.extraWorkingDays ?? []).forEach((extraDay, index) => {
      if (holidays.has(extraDay.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['extraWorkingDays', index, 'date'],
          message: `${extraDay.date} is also a holiday; a date is either closed or an extra working day`,
        });
      }
      const firstIndex = firstIndexByDate.get(extraDay.date);
      if (firstIndex === undefined) {
        firstIndexByDate.set(extraDay.date, index);
      } else {
        ctx.addIssue({
          code: 'custom',
          path: ['extraWorkingDays', index, 'date'],
          message: `${extraDay.date} is already extraWorkingDays[${firstIndex}]`,
        });
      }
    });
  });

/** A validated business calendar (the output of {@link businessCalendarSchema}). */
export type BusinessCalendar = z.output<typeof businessCalendarSchema>;

/* ------------------------------------------------------------------------------------------ */
/* Runtime model. "Day" below is a local date as a count of days since 1970-01-01.              */

/** Minutes after local midnight, [start, end), sorted by start, non-overlapping. */
type MinuteWindow = readonly [start: number, end: number];

/** Epoch milliseconds, [open, close), non-empty. */
type OpenInterval = readonly [open: number, close: number];

interface CompiledCalendar {
  readonly zone: IANAZone;
  readonly weekly: readonly (readonly MinuteWindow[])[];
  readonly holidays: ReadonlySet<number>;
  readonly extraWorkingDays: ReadonlyMap<number, readonly MinuteWindow[]>;
  /** UTC offset (minutes) at the instant `day * DAY_MS`, by day. */
  readonly sampledOffsets: Map<number, number>;
  /** The open intervals of a local day, by day (see {@link openIntervalsOfDay}). */
  readonly intervals: Map<number, readonly OpenInterval[]>;
}

/** Days remembered per calendar before a memo starts afresh (a few years of dates used). */
const MAX_REMEMBERED_DAYS = 2_000;

const NO_INTERVALS: readonly OpenInterval[] = [];

function toMinuteWindows(windows: readonly OpeningWindow[] | undefined): readonly MinuteWindow[] {
  return (windows ?? [])
    .map((window): MinuteWindow => [minutesOfDay(window.start), minutesOfDay(window.end)])
    .sort((a, b) => a[0] - b[0]);
}

function dayOfIsoDate(isoDate: string): number {
  const date = new Date(0);
  date.setUTCFullYear(
    Number(isoDate.slice(0, 4)),
    Number(isoDate.slice(5, 7)) - 1,
    Number(isoDate.slice(8, 10)),
  );
  return Math.floor(date.getTime() / DAY_MS);
}

/**
 * Compiled calendars, by calendar object. Rulesets are immutable once loaded, so a calendar is
 * compiled once and its per-day offset samples and open intervals are reused by every
 * evaluation (neither ever changes for a given day). The memos hold a few numbers per calendar
 * per date used, and start afresh past {@link MAX_REMEMBERED_DAYS} dates.
 */
const compiledCalendars = new WeakMap<BusinessCalendar, CompiledCalendar>();

function compile(calendar: BusinessCalendar): CompiledCalendar {
  let compiled = compiledCalendars.get(calendar);
  if (!compiled) {
    compiled = compileUncached(calendar);
    compiledCalendars.set(calendar, compiled);
  }
  return compiled;
}

function compileUncached(calendar: BusinessCalendar): CompiledCalendar {
  if (!IANAZone.isValidZone(calendar.timeZone)) {
    throw new RangeError(
      `Business calendar "${calendar.id}" has an unknown time zone "${calendar.timeZone}"; parse it with businessCalendarSchema first.`,
    );
  }
  return {
    zone: IANAZone.create(calendar.timeZone),
    weekly: WEEKDAYS.map((weekday) => toMinuteWindows(calendar.weekly?.[weekday])),
    holidays: new Set((calendar.holidays ?? []).map(dayOfIsoDate)),
    extraWorkingDays: new Map(
      (calendar.extraWorkingDays ?? []).map((extraDay) => [
        dayOfIsoDate(extraDay.date),
        toMinuteWindows(extraDay.windows),
      ]),
    ),
    sampledOffsets: new Map(),
    intervals: new Map(),
  };
}

function sampledOffset(calendar: CompiledCalendar, day: number): number {
  let offset = calendar.sampledOffsets.get(day);
  if (offset === undefined) {
    offset = ianaOffset(calendar.zone, day * DAY_MS);
    if (calendar.sampledOffsets.size >= MAX_REMEMBERED_DAYS) calendar.sampledOffsets.clear();
    calendar.sampledOffsets.set(day, offset);
  }
  return offset;
}

/**
 * The UTC offsets that can apply to a wall time of `day`. Such an instant lies within about
 * ±28 h of the day's middle (12 h of the day plus a ±16 h offset at most), and the samples span
 * ±36 h; a zone would need two transitions within 24 h to hide one, which tzdb never has.
 */
function candidateOffsets(calendar: CompiledCalendar, day: number): readonly number[] {
  const samples = [day - 1, day, day + 1, day + 2].map((sample) => sampledOffset(calendar, sample));
  return [...new Set(samples)];
}

/**
 * The instant a wall time (`localMs`: the wall time read as if it were UTC) first occurs. An
 * ambiguous wall time (clocks going back) resolves to its earlier occurrence; a skipped one
 * (clocks going forward) to the instant of the jump.
 */
function resolveWallTime(zone: IANAZone, localMs: number, offsets: readonly number[]): number {
  const [onlyOffset] = offsets;
  if (offsets.length === 1 && onlyOffset !== undefined) return localMs - onlyOffset * MINUTE_MS;

  let earliest = Number.POSITIVE_INFINITY;
  for (const offset of offsets) {
    const instant = Math.round(localMs - offset * MINUTE_MS);
    if (ianaOffset(zone, instant) === offset && instant < earliest) earliest = instant;
  }
  if (earliest !== Number.POSITIVE_INFINITY) return earliest;

  // Skipped wall time: the jump lies in (low, high]; find its first millisecond.
  let low = Math.round(localMs - Math.max(...offsets) * MINUTE_MS);
  let high = Math.round(localMs - Math.min(...offsets) * MINUTE_MS);
  const offsetBeforeJump = ianaOffset(zone, low);
  if (ianaOffset(zone, high) === offsetBeforeJump) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (ianaOffset(zone, middle) === offsetBeforeJump) low = middle;
    else high = middle;
  }
  return high;
}

function windowsOfDay(calendar: CompiledCalendar, day: number): readonly MinuteWindow[] {
  if (calendar.holidays.has(day)) return [];
  const extra = calendar.extraWorkingDays.get(day);
  if (extra !== undefined) return extra;
  // 1970-01-01 (day 0) was a Thursday.
  return calendar.weekly[(((day + 4) % 7) + 7) % 7] ?? [];
}

/**
 * The open intervals of one local day as instants, in order; windows lost to a clock jump are
 * dropped. A day's intervals never change, so they are computed once per calendar and day.
 */
function openIntervalsOfDay(calendar: CompiledCalendar, day: number): readonly OpenInterval[] {
  let intervals = calendar.intervals.get(day);
  if (intervals === undefined) {
    intervals = computeOpenIntervals(calendar, day);
    if (calendar.intervals.size >= MAX_REMEMBERED_DAYS) calendar.intervals.clear();
    calendar.intervals.set(day, intervals);
  }
  return intervals;
}

function computeOpenIntervals(calendar: CompiledCalendar, day: number): readonly OpenInterval[] {
  const windows = windowsOfDay(calendar, day);
  if (windows.length === 0) return NO_INTERVALS;
  const offsets = candidateOffsets(calendar, day);
  const midnight = day * DAY_MS;
  const intervals: OpenInterval[] = [];
  for (const [start, end] of windows) {
    const open = resolveWallTime(calendar.zone, midnight + start * MINUTE_MS, offsets);
    const close = resolveWallTime(calendar.zone, midnight + end * MINUTE_MS, offsets);
    if (close > open) intervals.push([open, close]);
  }
  return intervals;
}

function localDayOf(calendar: CompiledCalendar, instant: number): number {
  return Math.floor((instant + ianaOffset(calendar.zone, instant) * MINUTE_MS) / DAY_MS);
}

function instantOf(date: Date, name: string): number {
  const instant = date.getTime();
  if (Number.isNaN(instant)) throw new RangeError(`${name} is an invalid Date`);
  return instant;
}

function toDate(instant: number): Date {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError('The deadline falls outside the range of a Date');
  return date;
}

/* ------------------------------------------------------------------------------------------ */

/**
 * Whether `calendar` is open at the instant `at`. Windows are start-inclusive and
 * end-exclusive: with 09:00-12:00, 09:00:00.000 is open and 12:00:00.000 is closed.
 *
 * @throws RangeError if `at` is an invalid Date.
 */
export function isOpenAt(calendar: BusinessCalendar, at: Date): boolean {
  const instant = instantOf(at, 'at');
  if (calendar.alwaysOpen === true) return true;
  const compiled = compile(calendar);
  const day = localDayOf(compiled, instant);
  // Neighbouring days too: around a clock change near midnight an instant can sit in a window
  // of the local date before or after its own.
  for (let candidate = day - 1; candidate <= day + 1; candidate++) {
    for (const [open, close] of openIntervalsOfDay(compiled, candidate)) {
      if (open <= instant && instant < close) return true;
    }
  }
  return false;
}

/**
 * The instant that is `minutes` of business time after `start`: the SLA deadline of something
 * received at `start`. Outside business hours the clock starts at the next opening.
 *
 * - `minutes` may be fractional; the business duration is rounded to the nearest millisecond
 *   (a Date's resolution), while `start` keeps its milliseconds.
 * - `minutes === 0` gives `start` itself if the calendar is open then, else the next opening.
 * - A deadline that uses up a window exactly is that window's closing instant (12:00 for
 *   09:00-12:00), not the next opening.
 * - An `alwaysOpen` calendar is plain wall-clock addition.
 *
 * @throws RangeError if `start` is invalid, `minutes` is negative or not finite, or the walk
 *   would run past 100 years.
 * @throws Error if the calendar stays closed for more than three years in a row (for example
 *   every date is a holiday), since no deadline could then be met.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  const startInstant = instantOf(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  }
  let remaining = Math.round(minutes * MINUTE_MS);
  if (calendar.alwaysOpen === true) return toDate(startInstant + remaining);

  const compiled = compile(calendar);
  let cursor = startInstant;
  const firstDay = localDayOf(compiled, startInstant) - 1;
  let closedDaysInARow = 0;
  for (let day = firstDay; ; day++) {
    if (day - firstDay > MAX_WALK_DAYS) {
      throw new RangeError(
        `Adding ${minutes} business minutes on calendar "${calendar.id}" runs past ${MAX_WALK_DAYS / 366} years`,
      );
    }
    let openToday = false;
    for (const [open, close] of openIntervalsOfDay(compiled, day)) {
      if (close <= cursor) continue;
      openToday = true;
      const from = Math.max(open, cursor);
      const available = close - from;
      if (remaining <= available) return toDate(from + remaining);
      remaining -= available;
      cursor = close;
    }
    closedDaysInARow = openToday ? 0 : closedDaysInARow + 1;
    if (closedDaysInARow > MAX_CONSECUTIVE_CLOSED_DAYS) {
      throw new Error(
        `Business calendar "${calendar.id}" has no open hours in the ${MAX_CONSECUTIVE_CLOSED_DAYS} days after ` +
          `${new Date(cursor).toISOString()}, so no deadline can be met; check its holidays and weekly windows.`,
      );
    }
  }
}

/**
 * Business minutes elapsed between `from` and `to` (the open part of [from, to)), possibly
 * fractional; 0 when `to <= from`. The inverse of {@link addBusinessMinutes}:
 * `businessMinutesBetween(c, s, addBusinessMinutes(c, s, m))` is `m` to the millisecond.
 *
 * @throws RangeError if either Date is invalid.
 */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const fromInstant = instantOf(from, 'from');
  const toInstant = instantOf(to, 'to');
  if (toInstant <= fromInstant) return 0;
  if (calendar.alwaysOpen === true) return (toInstant - fromInstant) / MINUTE_MS;

  const compiled = compile(calendar);
  const lastDay = localDayOf(compiled, toInstant) + 1;
  let openMs = 0;
  for (let day = localDayOf(compiled, fromInstant) - 1; day <= lastDay; day++) {
    for (const [open, close] of openIntervalsOfDay(compiled, day)) {
      const overlap = Math.min(close, toInstant) - Math.max(open, fromInstant);
      if (overlap > 0) openMs += overlap;
    }
  }
  return openMs / MINUTE_MS;
}
