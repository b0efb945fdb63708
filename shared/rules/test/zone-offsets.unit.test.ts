import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { localTime, receivedClock } from '../src/facts';
import { ianaOffset, localClock } from '../src/zone-offsets';

const HOUR_MS = 3_600_000;

// Zones with daylight saving both ways, half-hour and 45-minute offsets, a 30-minute DST shift
// (Lord Howe), and a zone that skipped a whole day (Apia, end of 2011).
const zones = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Pacific/Apia',
  'Africa/Casablanca',
];

/** Instants anywhere in 1900–2100, and instants within a few hours of a clock change. */
const instantArb = fc.oneof(
  fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
  fc
    .constantFrom(
      Date.UTC(2026, 2, 8, 7), // New York springs forward
      Date.UTC(2026, 10, 1, 6), // New York falls back
      Date.UTC(2026, 2, 29, 1), // London springs forward
      Date.UTC(2026, 3, 4, 15), // Lord Howe falls back half an hour
      Date.UTC(2011, 11, 30, 10), // Apia skips 30 December 2011
    )
    .chain((change) => fc.integer({ min: change - 3 * HOUR_MS, max: change + 3 * HOUR_MS })),
);

describe('ianaOffset', () => {
  it('when an offset is asked for any instant, then it is luxon’s own, before and after the hour is remembered', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instantArb, (name, instant) => {
        const zone = IANAZone.create(name);
        const expected = zone.offset(instant);
        expect(ianaOffset(zone, instant)).toBe(expected);
        // The hour is remembered now: asking again, or for its edges, changes nothing.
        expect(ianaOffset(zone, instant)).toBe(expected);
        const hourStart = Math.floor(instant / HOUR_MS) * HOUR_MS;
        expect(ianaOffset(zone, hourStart)).toBe(zone.offset(hourStart));
        expect(ianaOffset(zone, hourStart + HOUR_MS - 1)).toBe(zone.offset(hourStart + HOUR_MS - 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('when the instant is not finite, then luxon answers (NaN)', () => {
    const zone = IANAZone.create('Europe/London');
    expect(ianaOffset(zone, Number.NaN)).toBeNaN();
  });
});

describe('localClock and receivedClock', () => {
  it('when compared with a luxon DateTime in the same zone, then hour and weekday agree', () => {
    const zoneArb = fc.constantFrom(...zones, 'utc', 'GMT', 'UTC+8', 'UTC-3:30', 'system', 'Fantasia/Castle');
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, instant) => {
        const at = new Date(instant);
        const reference = DateTime.fromJSDate(at, { zone });
        const clock = localClock(at, zone);
        if (reference.isValid) {
          expect(clock).toEqual({ hour: reference.hour, weekday: reference.weekday });
        } else {
          expect(clock.hour).toBeNaN();
          expect(clock.weekday).toBeNaN();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('when a rule gives no usable time zone, then receivedClock reads UTC, as localTime does', () => {
    const at = new Date('2026-03-08T06:30:00Z');
    for (const timeZone of [undefined, null, '', 8, { zone: 'Asia/Shanghai' }]) {
      const reference = localTime(at, timeZone);
      expect(receivedClock(at, timeZone)).toEqual({ hour: reference.hour, weekday: reference.weekday });
    }
    expect(receivedClock(at, 'Asia/Shanghai')).toEqual({ hour: 14, weekday: 7 });
  });

  it('when the Date is invalid, then both are NaN', () => {
    const clock = receivedClock(new Date(Number.NaN), 'Asia/Shanghai');
    expect(clock.hour).toBeNaN();
    expect(clock.weekday).toBeNaN();
  });
});
