import { z } from 'zod';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessCalendarSchema,
  businessMinutesBetween,
  isOpenAt,
} from '../src/business-calendar';

type CalendarInput = z.input<typeof businessCalendarSchema>;

const DAY_MS = 86_400_000;

const officeDay = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/** A Chinese call centre around Spring Festival 2026: closed 15-23 Feb, make-up Saturdays 14 and 28 Feb. */
function buildCnCalendar(overrides: Partial<CalendarInput> = {}): BusinessCalendar {
  return businessCalendarSchema.parse({
    id: 'cn-business',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: officeDay, tue: officeDay, wed: officeDay, thu: officeDay, fri: officeDay },
    holidays: [
      '2026-02-15',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
      '2026-02-23',
    ],
    extraWorkingDays: [
      { date: '2026-02-14', windows: officeDay },
      { date: '2026-02-28', windows: officeDay },
    ],
    ...overrides,
  });
}

function buildUsCalendar(overrides: Partial<CalendarInput> = {}): BusinessCalendar {
  const nineToFive = [{ start: '09:00', end: '17:00' }];
  return businessCalendarSchema.parse({
    id: 'us-eastern',
    timeZone: 'America/New_York',
    weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
    ...overrides,
  });
}

const d = (iso: string): Date => new Date(iso);

describe('isOpenAt', () => {
  const cn = buildCnCalendar();

  it.each([
    ['at the first millisecond of a window', '2026-03-03T09:00:00.000+08:00', true],
    ['at the last millisecond before lunch', '2026-03-03T11:59:59.999+08:00', true],
    ['at the instant a window ends (windows are end-exclusive)', '2026-03-03T12:00:00.000+08:00', false],
    ['during the lunch break', '2026-03-03T12:45:00.000+08:00', false],
    ['when the afternoon window opens', '2026-03-03T13:30:00.000+08:00', true],
    ['at closing time', '2026-03-03T18:00:00.000+08:00', false],
    ['on an ordinary Saturday', '2026-03-07T10:00:00.000+08:00', false],
    ['on a weekday holiday', '2026-02-16T10:00:00.000+08:00', false],
    ['on a make-up working Saturday', '2026-02-14T10:00:00.000+08:00', true],
    ['on a make-up working Saturday during its lunch break', '2026-02-14T12:30:00.000+08:00', false],
  ])('when the instant is %s, then it answers %s', (_case, iso, expected) => {
    expect(isOpenAt(cn, d(iso))).toBe(expected);
  });

  it('when the calendar is alwaysOpen, then it is open even on a listed holiday at 3 a.m.', () => {
    const always = businessCalendarSchema.parse({
      id: 'always',
      timeZone: 'UTC',
      alwaysOpen: true,
      holidays: ['2026-03-03'],
    });
    expect(isOpenAt(always, d('2026-03-03T03:00:00Z'))).toBe(true);
  });

  it('when the Date is invalid, then it throws a RangeError', () => {
    expect(() => isOpenAt(cn, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('addBusinessMinutes on a Chinese calendar with a lunch break', () => {
  const cn = buildCnCalendar();

  it.each([
    [
      'a complaint arrives at 11:00 with 120 minutes',
      '2026-03-03T11:00:00+08:00',
      120,
      '2026-03-03T14:30:00+08:00',
    ],
    ['it arrives during lunch with 30 minutes', '2026-03-03T12:30:00+08:00', 30, '2026-03-03T14:00:00+08:00'],
    [
      'it arrives before opening with 15 minutes',
      '2026-03-03T07:10:00+08:00',
      15,
      '2026-03-03T09:15:00+08:00',
    ],
    [
      'it arrives Friday 17:00 with 120 minutes',
      '2026-03-06T17:00:00+08:00',
      120,
      '2026-03-09T10:00:00+08:00',
    ],
    ['it arrives on Saturday with 60 minutes', '2026-03-07T15:00:00+08:00', 60, '2026-03-09T10:00:00+08:00'],
    ['the morning window is used up exactly', '2026-03-03T09:00:00+08:00', 180, '2026-03-03T12:00:00+08:00'],
    [
      'one minute more than the morning is asked',
      '2026-03-03T09:00:00+08:00',
      181,
      '2026-03-03T13:31:00+08:00',
    ],
    ['the day before a make-up Saturday', '2026-02-13T17:30:00+08:00', 60, '2026-02-14T09:30:00+08:00'],
    [
      'the make-up Saturday before the holiday',
      '2026-02-14T17:00:00+08:00',
      120,
      '2026-02-24T10:00:00+08:00',
    ],
    ['it arrives during the holiday', '2026-02-18T10:00:00+08:00', 1, '2026-02-24T09:01:00+08:00'],
    [
      'a whole 7.5-hour day is asked from opening',
      '2026-03-03T09:00:00+08:00',
      450,
      '2026-03-03T18:00:00+08:00',
    ],
  ])('when %s, then the deadline is the expected instant', (_case, start, minutes, expected) => {
    expect(addBusinessMinutes(cn, d(start), minutes).toISOString()).toBe(d(expected).toISOString());
  });

  it('when minutes is 0 and the calendar is open, then the start itself is returned, milliseconds included', () => {
    expect(addBusinessMinutes(cn, d('2026-03-03T10:15:30.250+08:00'), 0).toISOString()).toBe(
      '2026-03-03T02:15:30.250Z',
    );
  });

  it('when minutes is 0 during lunch, then the next opening is returned', () => {
    expect(addBusinessMinutes(cn, d('2026-03-03T12:30:00+08:00'), 0).toISOString()).toBe(
      d('2026-03-03T13:30:00+08:00').toISOString(),
    );
  });

  it('when minutes is 0 exactly at closing time, then the next opening is returned', () => {
    expect(addBusinessMinutes(cn, d('2026-03-06T18:00:00+08:00'), 0).toISOString()).toBe(
      d('2026-03-09T09:00:00+08:00').toISOString(),
    );
  });

  it('when the start has milliseconds, then they are kept', () => {
    expect(addBusinessMinutes(cn, d('2026-03-03T10:00:00.123+08:00'), 1).toISOString()).toBe(
      '2026-03-03T02:01:00.123Z',
    );
    expect(addBusinessMinutes(cn, d('2026-03-03T11:59:30.500+08:00'), 1).toISOString()).toBe(
      d('2026-03-03T13:30:30.500+08:00').toISOString(),
    );
  });

  it('when minutes is fractional, then it is honoured to the millisecond', () => {
    expect(addBusinessMinutes(cn, d('2026-03-03T10:00:00.000+08:00'), 0.5).toISOString()).toBe(
      '2026-03-03T02:00:30.000Z',
    );
    expect(addBusinessMinutes(cn, d('2026-03-03T10:00:00.000+08:00'), 1 / 60_000).toISOString()).toBe(
      '2026-03-03T02:00:00.001Z',
    );
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('when minutes is %s, then it throws a RangeError', (_case, minutes) => {
    expect(() => addBusinessMinutes(cn, d('2026-03-03T10:00:00+08:00'), minutes)).toThrow(RangeError);
  });

  it('when the start is an invalid Date, then it throws a RangeError', () => {
    expect(() => addBusinessMinutes(cn, new Date('not a date'), 10)).toThrow(RangeError);
  });
});

describe('addBusinessMinutes across daylight-saving changes in New York', () => {
  const us = buildUsCalendar();

  it('when Friday 16:00 EST gets 120 minutes over the spring-forward weekend, then Monday opens at 09:00 EDT', () => {
    // A fixed -05:00 offset would answer 15:00Z.
    expect(addBusinessMinutes(us, d('2026-03-06T16:00:00-05:00'), 120).toISOString()).toBe(
      '2026-03-09T14:00:00.000Z',
    );
  });

  it('when Friday 16:00 EDT gets 120 minutes over the fall-back weekend, then Monday opens at 09:00 EST', () => {
    expect(addBusinessMinutes(us, d('2026-10-30T16:00:00-04:00'), 120).toISOString()).toBe(
      '2026-11-02T15:00:00.000Z',
    );
  });

  it('when measuring Friday 09:00 EST to Monday 17:00 EDT, then two full 8-hour days are counted', () => {
    expect(businessMinutesBetween(us, d('2026-03-06T09:00:00-05:00'), d('2026-03-09T17:00:00-04:00'))).toBe(
      960,
    );
  });

  const sundayAllDay = buildUsCalendar({ weekly: { sun: [{ start: '00:00', end: '24:00' }] } });

  it('when a 00:00-24:00 window falls on the spring-forward Sunday, then it lasts 23 hours', () => {
    expect(
      businessMinutesBetween(sundayAllDay, d('2026-03-07T12:00:00-05:00'), d('2026-03-10T12:00:00-04:00')),
    ).toBe(23 * 60);
    expect(addBusinessMinutes(sundayAllDay, d('2026-03-08T00:00:00-05:00'), 23 * 60).toISOString()).toBe(
      d('2026-03-09T00:00:00-04:00').toISOString(),
    );
  });

  it('when a 00:00-24:00 window falls on the fall-back Sunday, then it lasts 25 hours', () => {
    expect(
      businessMinutesBetween(sundayAllDay, d('2026-10-31T12:00:00-04:00'), d('2026-11-03T12:00:00-05:00')),
    ).toBe(25 * 60);
  });

  const nightShift = buildUsCalendar({
    weekly: { sat: [{ start: '22:00', end: '24:00' }], sun: [{ start: '00:00', end: '06:00' }] },
  });

  it('when a night shift runs through the spring-forward jump, then 240 minutes end at 04:00 EDT', () => {
    // 60 min to Saturday 24:00, then 00:00 EST + 3 real hours = 04:00 EDT (02:00-03:00 never happens).
    expect(addBusinessMinutes(nightShift, d('2026-03-07T23:00:00-05:00'), 240).toISOString()).toBe(
      d('2026-03-08T04:00:00-04:00').toISOString(),
    );
  });

  it('when a night shift runs through the fall-back repeat, then 240 minutes end at 02:00 EST', () => {
    // 60 min to Saturday 24:00, then 00:00 EDT + 3 real hours = 02:00 EST (01:00-02:00 happens twice).
    expect(addBusinessMinutes(nightShift, d('2026-10-31T23:00:00-04:00'), 240).toISOString()).toBe(
      d('2026-11-01T02:00:00-05:00').toISOString(),
    );
  });

  it('when a window ends at 24:00, then it joins the next day 00:00 window without a gap', () => {
    expect(addBusinessMinutes(nightShift, d('2026-03-14T23:30:00-04:00'), 60).toISOString()).toBe(
      d('2026-03-15T00:30:00-04:00').toISOString(),
    );
    expect(isOpenAt(nightShift, d('2026-03-15T00:00:00-04:00'))).toBe(true);
  });

  describe('when windows touch the skipped hour 02:00-03:00 of 2026-03-08', () => {
    const gapSunday = buildUsCalendar({
      weekly: {
        sun: [
          { start: '01:30', end: '02:30' },
          { start: '02:40', end: '02:50' },
          { start: '03:00', end: '04:00' },
        ],
      },
    });

    it('then 01:30-02:30 lasts 30 minutes, 02:40-02:50 never opens, and 03:00-04:00 lasts 60', () => {
      expect(
        businessMinutesBetween(gapSunday, d('2026-03-08T00:00:00-05:00'), d('2026-03-08T01:00:00-05:00')),
      ).toBe(0);
      expect(
        businessMinutesBetween(gapSunday, d('2026-03-08T01:00:00-05:00'), d('2026-03-08T03:00:00-04:00')),
      ).toBe(30);
      expect(
        businessMinutesBetween(gapSunday, d('2026-03-08T03:00:00-04:00'), d('2026-03-08T12:00:00-04:00')),
      ).toBe(60);
    });

    it('then the clock runs from 01:59 EST straight into 03:00 EDT', () => {
      expect(isOpenAt(gapSunday, d('2026-03-08T01:59:59.999-05:00'))).toBe(true);
      expect(isOpenAt(gapSunday, d('2026-03-08T03:00:00-04:00'))).toBe(true);
      expect(addBusinessMinutes(gapSunday, d('2026-03-08T01:50:00-05:00'), 20).toISOString()).toBe(
        d('2026-03-08T03:10:00-04:00').toISOString(),
      );
    });
  });

  describe('when a window covers the repeated hour 01:00-02:00 of 2026-11-01', () => {
    const repeatSunday = buildUsCalendar({ weekly: { sun: [{ start: '01:00', end: '02:00' }] } });

    it('then it runs from the first 01:00 (EDT) to 02:00 EST: 120 real minutes', () => {
      expect(
        businessMinutesBetween(repeatSunday, d('2026-11-01T00:00:00-04:00'), d('2026-11-01T12:00:00-05:00')),
      ).toBe(120);
      expect(isOpenAt(repeatSunday, d('2026-11-01T00:59:59.999-04:00'))).toBe(false);
      expect(isOpenAt(repeatSunday, d('2026-11-01T01:30:00-04:00'))).toBe(true);
      expect(isOpenAt(repeatSunday, d('2026-11-01T01:30:00-05:00'))).toBe(true);
      expect(isOpenAt(repeatSunday, d('2026-11-01T02:00:00-05:00'))).toBe(false);
    });
  });
});

describe('businessMinutesBetween', () => {
  const cn = buildCnCalendar();

  it('when measuring across the Spring Festival, then only Friday and the make-up Saturday count', () => {
    expect(businessMinutesBetween(cn, d('2026-02-13T09:00:00+08:00'), d('2026-02-24T09:00:00+08:00'))).toBe(
      900,
    );
  });

  it('when both ends fall in different windows, then the fractional open time is returned', () => {
    expect(businessMinutesBetween(cn, d('2026-03-03T11:59:30+08:00'), d('2026-03-03T13:30:15+08:00'))).toBe(
      0.75,
    );
  });

  it('when to is not after from, then it is 0', () => {
    expect(businessMinutesBetween(cn, d('2026-03-03T11:00:00+08:00'), d('2026-03-03T10:00:00+08:00'))).toBe(
      0,
    );
    expect(businessMinutesBetween(cn, d('2026-03-03T11:00:00+08:00'), d('2026-03-03T11:00:00+08:00'))).toBe(
      0,
    );
  });

  it('when the calendar is alwaysOpen, then it is plain elapsed time, weekends included', () => {
    const always = businessCalendarSchema.parse({ id: 'always', timeZone: 'UTC', alwaysOpen: true });
    expect(businessMinutesBetween(always, d('2026-03-06T23:00:00Z'), d('2026-03-09T01:00:30Z'))).toBe(
      2 * 1440 + 120 + 0.5,
    );
  });

  it('when either Date is invalid, then it throws a RangeError', () => {
    expect(() => businessMinutesBetween(cn, new Date(Number.NaN), d('2026-03-03T10:00:00Z'))).toThrow(
      RangeError,
    );
    expect(() => businessMinutesBetween(cn, d('2026-03-03T10:00:00Z'), new Date(Number.NaN))).toThrow(
      RangeError,
    );
  });
});

describe('walk limits', () => {
  /** Every local date from `first` for `days` days, "YYYY-MM-DD". */
  function consecutiveDates(first: string, days: number): string[] {
    const firstDay = Date.parse(`${first}T00:00:00Z`);
    return Array.from({ length: days }, (_, index) =>
      new Date(firstDay + index * DAY_MS).toISOString().slice(0, 10),
    );
  }

  it('when every date is a holiday for four years, then it throws a clear Error instead of spinning', () => {
    const closed = buildCnCalendar({
      holidays: consecutiveDates('2026-01-01', 4 * 366),
      extraWorkingDays: [],
    });
    expect(() => addBusinessMinutes(closed, d('2026-01-01T00:00:00+08:00'), 60)).toThrow(
      /calendar "cn-business" has no open hours in the \d+ days after/,
    );
  });

  it('when the calendar is closed for two whole years, then the deadline lands after the closure', () => {
    const closed = buildCnCalendar({ holidays: consecutiveDates('2026-01-01', 730), extraWorkingDays: [] });
    // 2028-01-01 is a Saturday, so the first open day is Monday 3 January.
    expect(addBusinessMinutes(closed, d('2026-01-01T00:00:00+08:00'), 60).toISOString()).toBe(
      d('2028-01-03T10:00:00+08:00').toISOString(),
    );
  });

  it('when decades of business time are added, then it walks window by window and finishes quickly', () => {
    const cn = buildCnCalendar();
    const start = d('2026-03-03T10:00:00+08:00');
    const eightyYearsOfOfficeTime = 80 * 52 * 5 * 450;
    const startedAt = performance.now();
    const deadline = addBusinessMinutes(cn, start, eightyYearsOfOfficeTime);
    const elapsedMs = performance.now() - startedAt;
    expect(businessMinutesBetween(cn, start, deadline)).toBe(eightyYearsOfOfficeTime);
    // 4,160 working weeks from March 2026 end in late 2105.
    expect(deadline.getUTCFullYear()).toBe(2105);
    // A minute-by-minute walk would make ~9 million steps here; the day walk takes ~0.1 s.
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('when more than a century of walking would be needed, then it throws a RangeError', () => {
    const cn = buildCnCalendar();
    expect(() => addBusinessMinutes(cn, d('2026-03-03T10:00:00+08:00'), 200 * 52 * 5 * 450)).toThrow(
      RangeError,
    );
  });
});

describe('businessCalendarSchema', () => {
  const valid: CalendarInput = {
    id: 'cn-business',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: officeDay },
  };

  function issuePaths(input: unknown): PropertyKey[][] {
    const result = businessCalendarSchema.safeParse(input);
    if (result.success) return [];
    return result.error.issues.map((issue) => issue.path);
  }

  it('when a calendar is well formed, then it parses unchanged', () => {
    const input: CalendarInput = {
      ...valid,
      description: 'Shanghai office',
      weekly: {
        mon: officeDay,
        sat: [{ start: '18:00', end: '24:00' }],
        sun: [{ start: '00:00', end: '06:00' }],
      },
      holidays: ['2026-02-16'],
      extraWorkingDays: [{ date: '2026-02-14', windows: officeDay }],
    };
    expect(businessCalendarSchema.parse(input)).toEqual(input);
  });

  it('when an alwaysOpen calendar has no weekly windows, then it is accepted', () => {
    expect(issuePaths({ id: 'always', timeZone: 'UTC', alwaysOpen: true })).toEqual([]);
  });

  it('when windows of a day only touch, then they are accepted', () => {
    const touching = [
      { start: '12:00', end: '24:00' },
      { start: '00:00', end: '12:00' },
    ];
    expect(issuePaths({ ...valid, weekly: { mon: touching } })).toEqual([]);
  });

  it.each<[string, unknown, PropertyKey[]]>([
    ['the time zone is unknown', { ...valid, timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
    ['the time zone is empty', { ...valid, timeZone: '' }, ['timeZone']],
    [
      'two windows of a day overlap',
      {
        ...valid,
        weekly: {
          mon: [
            { start: '09:00', end: '12:00' },
            { start: '11:30', end: '13:00' },
          ],
        },
      },
      ['weekly', 'mon', 1],
    ],
    [
      'an earlier-listed window starts inside a later-listed one',
      {
        ...valid,
        weekly: {
          wed: [
            { start: '10:00', end: '11:00' },
            { start: '08:00', end: '18:00' },
          ],
        },
      },
      ['weekly', 'wed', 0],
    ],
    [
      'an extra working day has overlapping windows',
      {
        ...valid,
        extraWorkingDays: [
          {
            date: '2026-02-14',
            windows: [
              { start: '09:00', end: '12:00' },
              { start: '09:00', end: '10:00' },
            ],
          },
        ],
      },
      ['extraWorkingDays', 0, 'windows', 1],
    ],
    [
      'a window ends when it starts',
      { ...valid, weekly: { tue: [{ start: '12:00', end: '12:00' }] } },
      ['weekly', 'tue', 0, 'end'],
    ],
    [
      'a window ends before it starts',
      { ...valid, weekly: { mon: [{ start: '18:00', end: '09:00' }] } },
      ['weekly', 'mon', 0, 'end'],
    ],
    [
      'a window starts at 24:00',
      { ...valid, weekly: { mon: [{ start: '24:00', end: '24:00' }] } },
      ['weekly', 'mon', 0, 'start'],
    ],
    [
      'a window ends at 25:00',
      { ...valid, weekly: { mon: [{ start: '09:00', end: '25:00' }] } },
      ['weekly', 'mon', 0, 'end'],
    ],
    [
      'a time lacks its leading zero',
      { ...valid, weekly: { mon: [{ start: '9:00', end: '12:00' }] } },
      ['weekly', 'mon', 0, 'start'],
    ],
    ['a holiday is 30 February', { ...valid, holidays: ['2026-02-16', '2026-02-30'] }, ['holidays', 1]],
    ['a holiday is not zero-padded', { ...valid, holidays: ['2026-2-16'] }, ['holidays', 0]],
    [
      'an extra working day is in month 13',
      { ...valid, extraWorkingDays: [{ date: '2026-13-01', windows: officeDay }] },
      ['extraWorkingDays', 0, 'date'],
    ],
    [
      'an extra working day is also a holiday',
      { ...valid, holidays: ['2026-02-14'], extraWorkingDays: [{ date: '2026-02-14', windows: officeDay }] },
      ['extraWorkingDays', 0, 'date'],
    ],
    [
      'an extra working day is listed twice',
      {
        ...valid,
        extraWorkingDays: [
          { date: '2026-02-14', windows: officeDay },
          { date: '2026-02-14', windows: officeDay },
        ],
      },
      ['extraWorkingDays', 1, 'date'],
    ],
    [
      'an extra working day has no windows',
      { ...valid, extraWorkingDays: [{ date: '2026-02-14', windows: [] }] },
      ['extraWorkingDays', 0, 'windows'],
    ],
    [
      'a calendar that is not alwaysOpen has no weekly windows',
      { ...valid, weekly: { mon: [] } },
      ['weekly'],
    ],
    ['a calendar has no weekly schedule at all', { id: 'x', timeZone: 'UTC', alwaysOpen: false }, ['weekly']],
    ['a weekday key is misspelt', { ...valid, weekly: { mon: officeDay, thur: officeDay } }, ['weekly']],
    ['a top-level key is unknown', { ...valid, timezone: 'UTC' }, []],
    ['the id is empty', { ...valid, id: '' }, ['id']],
  ])('when %s, then exactly one issue is reported at the expected path', (_case, input, expectedPath) => {
    expect(issuePaths(input)).toEqual([expectedPath]);
  });

  it('when a time zone is unknown, then the message names it', () => {
    const result = businessCalendarSchema.safeParse({ ...valid, timeZone: 'Mars/Olympus_Mons' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"Mars/Olympus_Mons" is not an IANA time zone');
  });

  it('when windows overlap, then the message names the window it collides with', () => {
    const result = businessCalendarSchema.safeParse({
      ...valid,
      weekly: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '11:30', end: '13:00' },
        ],
      },
    });
    expect(result.error?.issues[0]?.message).toBe('overlaps window 0 (09:00-12:00) of the same day');
  });
});
