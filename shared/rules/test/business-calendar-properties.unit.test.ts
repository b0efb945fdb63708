/**
 * Properties of the business-calendar maths (fast-check), and agreement with an independent
 * wall-clock reading; the example-based tests are in business-calendar.unit.test.ts.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { BusinessCalendar } from '../src/business-calendar';
import {
  addBusinessMinutes,
  businessCalendarSchema,
  businessMinutesBetween,
  isOpenAt,
} from '../src/business-calendar';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const ZONES = [
  'Asia/Shanghai',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'UTC',
];
const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Clock changes of 2026 in the zones above, where bugs live. */
const CLOCK_CHANGES = [
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-10-03T16:00:00Z',
].map(Date.parse);

const timeOfDay = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** A day's windows on a 15-minute grid: consecutive boundaries, some segments kept (so windows may touch). */
const dayWindowsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 0, maxLength: 6 })
  .chain((boundaries) => {
    const sorted = [...boundaries].sort((a, b) => a - b);
    return fc.array(fc.boolean(), { minLength: sorted.length, maxLength: sorted.length }).map((keep) => {
      const windows: { start: string; end: string }[] = [];
      for (let index = 0; index + 1 < sorted.length; index++) {
        const start = sorted[index];
        const end = sorted[index + 1];
        if (keep[index] === true && start !== undefined && end !== undefined) {
          windows.push({ start: timeOfDay(start * 15), end: timeOfDay(end * 15) });
        }
      }
      return windows;
    });
  });

const localDateArb = fc
  .integer({ min: Date.UTC(2025, 11, 1) / DAY_MS, max: Date.UTC(2027, 1, 1) / DAY_MS })
  .map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10));

const calendarArb = (zones: readonly string[] = ZONES): fc.Arbitrary<BusinessCalendar> =>
  fc
    .record({
      timeZone: fc.constantFrom(...zones),
      week: fc.tuple(
        dayWindowsArb,
        dayWindowsArb,
        dayWindowsArb,
        dayWindowsArb,
        dayWindowsArb,
        dayWindowsArb,
        dayWindowsArb,
      ),
      holidays: fc.uniqueArray(localDateArb, { maxLength: 60 }),
      extraWorkingDays: fc.uniqueArray(
        fc.record({ date: localDateArb, windows: dayWindowsArb.filter((windows) => windows.length > 0) }),
        { maxLength: 6, selector: (extraDay) => extraDay.date },
      ),
    })
    .filter(({ week }) => week.some((windows) => windows.length > 0))
    .map(({ timeZone, week, holidays, extraWorkingDays }) =>
      businessCalendarSchema.parse({
        id: 'generated',
        timeZone,
        weekly: Object.fromEntries(WEEKDAY_KEYS.map((key, index) => [key, week[index] ?? []])),
        holidays,
        extraWorkingDays: extraWorkingDays.filter((extraDay) => !holidays.includes(extraDay.date)),
      }),
    );

/** Instants in Dec 2025 - Jan 2027, half of them within three days of a clock change. */
const instantArb = fc
  .oneof(
    fc.integer({ min: Date.UTC(2025, 11, 1), max: Date.UTC(2027, 0, 1) }),
    fc
      .constantFrom(...CLOCK_CHANGES)
      .chain((change) => fc.integer({ min: change - 3 * DAY_MS, max: change + 3 * DAY_MS })),
  )
  .map((instant) => new Date(instant));

/** Whole milliseconds expressed in minutes, up to three days; 0 is common. */
const minutesArb = fc
  .oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 240 * MINUTE_MS }),
    fc.integer({ min: 1, max: 3 * 1440 * MINUTE_MS }),
  )
  .map((ms) => ms / MINUTE_MS);

const ONE_MS_IN_MINUTES = 1 / MINUTE_MS;

describe('properties of addBusinessMinutes and businessMinutesBetween', () => {
  it('when a deadline is computed, then the business time up to it is exactly the minutes asked', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, minutesArb, (calendar, start, minutes) => {
        const deadline = addBusinessMinutes(calendar, start, minutes);
        expect(Math.abs(businessMinutesBetween(calendar, start, deadline) - minutes)).toBeLessThan(1e-6);
      }),
    );
  });

  it('when minutes > 0, then the deadline is the earliest instant reaching them and closes an open stretch', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, minutesArb, (calendar, start, minutes) => {
        fc.pre(minutes > 0);
        const deadline = addBusinessMinutes(calendar, start, minutes);
        const justBefore = new Date(deadline.getTime() - 1);
        expect(deadline.getTime()).toBeGreaterThan(start.getTime());
        expect(isOpenAt(calendar, justBefore)).toBe(true);
        expect(businessMinutesBetween(calendar, start, justBefore)).toBeLessThan(minutes);
      }),
    );
  });

  it('when minutes is 0, then the result is the first open instant at or after the start', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, (calendar, start) => {
        const opening = addBusinessMinutes(calendar, start, 0);
        expect(opening.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(isOpenAt(calendar, opening)).toBe(true);
        expect(businessMinutesBetween(calendar, start, opening)).toBe(0);
        expect(opening.getTime() === start.getTime()).toBe(isOpenAt(calendar, start));
      }),
    );
  });

  it('when more minutes are asked, then the deadline is never earlier', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, minutesArb, minutesArb, (calendar, start, a, b) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMinutes(calendar, start, fewer).getTime()).toBeLessThanOrEqual(
          addBusinessMinutes(calendar, start, more).getTime(),
        );
      }),
    );
  });

  it('when a deadline is chained with more minutes, then it equals adding the sum at once', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, minutesArb, minutesArb, (calendar, start, first, second) => {
        fc.pre(second > 0);
        const chained = addBusinessMinutes(calendar, addBusinessMinutes(calendar, start, first), second);
        expect(chained.toISOString()).toBe(addBusinessMinutes(calendar, start, first + second).toISOString());
      }),
    );
  });

  it('when a period is split in two, then its business minutes are the sum of the parts and never exceed the wall time', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, instantArb, instantArb, (calendar, x, y, z) => {
        const [from, middle, to] = [x, y, z].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];
        const whole = businessMinutesBetween(calendar, from, to);
        const parts =
          businessMinutesBetween(calendar, from, middle) + businessMinutesBetween(calendar, middle, to);
        expect(Math.abs(whole - parts)).toBeLessThan(1e-6);
        expect(whole).toBeLessThanOrEqual((to.getTime() - from.getTime()) / MINUTE_MS);
        expect(businessMinutesBetween(calendar, to, from)).toBe(0);
      }),
    );
  });

  it('when one millisecond is measured, then it counts exactly when isOpenAt says the calendar is open', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, (calendar, at) => {
        const oneMs = businessMinutesBetween(calendar, at, new Date(at.getTime() + 1));
        expect(oneMs).toBe(isOpenAt(calendar, at) ? ONE_MS_IN_MINUTES : 0);
      }),
    );
  });

  it('when the calendar is alwaysOpen, then both functions are plain wall-clock arithmetic', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        instantArb,
        instantArb,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (timeZone, start, other, minutes) => {
          const always = businessCalendarSchema.parse({ id: 'always', timeZone, alwaysOpen: true });
          expect(addBusinessMinutes(always, start, minutes).getTime()).toBe(
            start.getTime() + Math.round(minutes * MINUTE_MS),
          );
          expect(businessMinutesBetween(always, start, other)).toBe(
            Math.max(0, other.getTime() - start.getTime()) / MINUTE_MS,
          );
          expect(isOpenAt(always, other)).toBe(true);
        },
      ),
    );
  });

  it('when every day is covered by touching windows 00:00-X and X-24:00, then it behaves like alwaysOpen across clock changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 1, max: 95 }),
        instantArb,
        minutesArb,
        (timeZone, split, start, minutes) => {
          const halves = [
            { start: '00:00', end: timeOfDay(split * 15) },
            { start: timeOfDay(split * 15), end: '24:00' },
          ];
          const covered = businessCalendarSchema.parse({
            id: 'covered',
            timeZone,
            weekly: Object.fromEntries(WEEKDAY_KEYS.map((key) => [key, halves])),
          });
          const deadline = addBusinessMinutes(covered, start, minutes);
          expect(deadline.getTime()).toBe(start.getTime() + Math.round(minutes * MINUTE_MS));
          expect(isOpenAt(covered, start)).toBe(true);
        },
      ),
    );
  });
});

/** The parts of a local wall-clock reading that decide whether a calendar is open. */
interface WallClock {
  date: string;
  weekday: (typeof WEEKDAY_KEYS)[number];
  /** Minutes after local midnight, fractional. */
  minute: number;
}

/** An independent reading of a calendar: look a wall-clock reading up in the raw windows. */
function wallClockSaysOpen(calendar: BusinessCalendar, wall: WallClock): boolean {
  const windows = (calendar.holidays ?? []).includes(wall.date)
    ? []
    : (calendar.extraWorkingDays?.find((extraDay) => extraDay.date === wall.date)?.windows ??
      calendar.weekly?.[wall.weekday] ??
      []);
  return windows.some(({ start, end }) => {
    const [startHour = 0, startMinute = 0] = start.split(':').map(Number);
    const [endHour = 0, endMinute = 0] = end.split(':').map(Number);
    return startHour * 60 + startMinute <= wall.minute && wall.minute < endHour * 60 + endMinute;
  });
}

/** luxon's wall clock for `at`, or undefined on a local day with a clock change (where readings are ambiguous). */
function luxonWallClock(timeZone: string, at: Date): WallClock | undefined {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const weekday = WEEKDAY_KEYS[local.weekday - 1];
  if (local.startOf('day').offset !== local.endOf('day').offset || weekday === undefined) return undefined;
  return {
    date: local.toISODate() ?? '',
    weekday,
    minute: local.hour * 60 + local.minute + local.second / 60 + local.millisecond / MINUTE_MS,
  };
}

/** UTC offsets (minutes) of zones that have not changed their clocks in decades. */
const FIXED_OFFSETS: Record<string, number> = { 'Asia/Shanghai': 480, 'Asia/Kolkata': 330, UTC: 0 };

/** Wall clock by plain arithmetic on a known fixed offset; shares no code with luxon or the module. */
function fixedOffsetWallClock(offsetMinutes: number, at: number): WallClock {
  const local = new Date(at + offsetMinutes * MINUTE_MS);
  return {
    date: local.toISOString().slice(0, 10),
    weekday: WEEKDAY_KEYS[(local.getUTCDay() + 6) % 7] ?? 'mon',
    minute: local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60,
  };
}

describe('agreement with an independent wall-clock reading', () => {
  it('when a day has no clock change, then isOpenAt matches the wall-clock reading of the windows', () => {
    fc.assert(
      fc.property(calendarArb(), instantArb, (calendar, at) => {
        const wall = luxonWallClock(calendar.timeZone, at);
        fc.pre(wall !== undefined);
        expect(isOpenAt(calendar, at)).toBe(wallClockSaysOpen(calendar, wall));
      }),
      { numRuns: 300 },
    );
  });

  it('when counting minute by minute in zones without DST, then businessMinutesBetween agrees', () => {
    fc.assert(
      fc.property(
        calendarArb(Object.keys(FIXED_OFFSETS)),
        instantArb,
        fc.integer({ min: 0, max: 3 * 1440 }),
        (calendar, at, spanMinutes) => {
          const offset = FIXED_OFFSETS[calendar.timeZone] ?? Number.NaN;
          const from = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
          let openMinutes = 0;
          for (let minute = 0; minute < spanMinutes; minute++) {
            if (wallClockSaysOpen(calendar, fixedOffsetWallClock(offset, from + minute * MINUTE_MS)))
              openMinutes++;
          }
          expect(
            businessMinutesBetween(calendar, new Date(from), new Date(from + spanMinutes * MINUTE_MS)),
          ).toBe(openMinutes);
        },
      ),
      { numRuns: 60 },
    );
  });
});
