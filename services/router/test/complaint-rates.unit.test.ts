import fc from 'fast-check';
import {
  baselineBuckets,
  baselineOf,
  countComplaints,
  dayBucket,
  hourBucket,
  hoursOfDay,
  judgeSpike,
  sumCounts,
  type RateCounts,
} from '../src/domain/complaint-rates';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const threshold = { minCount: 5, deviations: 3, ratio: 3 };

/** A stored bucket with one product series (`credit-card`: `count`). */
function weekWith(count: number | undefined, key = 'hour|x'): RateCounts {
  return {
    key,
    period: 'hour',
    start: new Date(0),
    total: count ?? 0,
    series: count === undefined ? [] : [{ dimension: 'product', value: 'credit-card', count }],
  };
}

describe('complaint-rate buckets', () => {
  it('when a time falls inside a UTC hour, then its bucket is that hour, keyed by the hour', () => {
    const bucket = hourBucket(new Date('2026-12-03T09:59:59.999Z'));
    expect(bucket).toEqual({
      period: 'hour',
      key: 'hour|2026-12-03T09Z',
      start: new Date('2026-12-03T09:00:00Z'),
      end: new Date('2026-12-03T10:00:00Z'),
    });
    expect(hourBucket(new Date('2026-12-03T10:00:00Z')).key).toBe('hour|2026-12-03T10Z');
  });

  it('when a time falls inside a UTC day, then its bucket is that day, and the day has 24 hour buckets', () => {
    const day = dayBucket(new Date('2026-12-03T23:30:00+08:00'));
    expect(day.key).toBe('day|2026-12-03');
    expect(day.start).toEqual(new Date('2026-12-03T00:00:00Z'));
    const hours = hoursOfDay(day);
    expect(hours).toHaveLength(24);
    expect(hours[0]!.key).toBe('hour|2026-12-03T00Z');
    expect(hours[23]!.key).toBe('hour|2026-12-03T23Z');
  });

  it('when the baseline of an hour is asked for, then it is the same weekday and UTC hour of the 4 previous weeks, newest first', () => {
    const weeks = baselineBuckets(hourBucket(new Date('2026-12-03T09:20:00Z')));
    expect(weeks.map((week) => week.key)).toEqual([
      'hour|2026-11-26T09Z',
      'hour|2026-11-19T09Z',
      'hour|2026-11-12T09Z',
      'hour|2026-11-05T09Z',
    ]);
    expect(baselineBuckets(dayBucket(new Date('2026-12-03T09:20:00Z'))).map((w) => w.key)).toEqual([
      'day|2026-11-26',
      'day|2026-11-19',
      'day|2026-11-12',
      'day|2026-11-05',
    ]);
  });

  it('when the weeks span a daylight-saving change (Europe, 29 March 2026), then the UTC baseline hours are still exactly one week apart', () => {
    const weeks = baselineBuckets(hourBucket(new Date('2026-04-02T09:00:00Z')));
    expect(weeks.map((week) => week.key)).toEqual([
      'hour|2026-03-26T09Z',
      'hour|2026-03-19T09Z',
      'hour|2026-03-12T09Z',
      'hour|2026-03-05T09Z',
    ]);
  });

  it('when any time is bucketed, then the hour contains it and every baseline hour is a whole number of weeks earlier, same weekday and hour', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (at) => {
          const hour = hourBucket(at);
          expect(hour.start.getTime()).toBeLessThanOrEqual(at.getTime());
          expect(hour.end.getTime()).toBeGreaterThan(at.getTime());
          baselineBuckets(hour).forEach((week, i) => {
            expect(hour.start.getTime() - week.start.getTime()).toBe((i + 1) * WEEK);
            expect(week.start.getUTCDay()).toBe(hour.start.getUTCDay());
            expect(week.start.getUTCHours()).toBe(hour.start.getUTCHours());
          });
        },
      ),
    );
  });
});

describe('complaint counts', () => {
  const hour = hourBucket(new Date('2026-12-03T09:00:00Z'));

  it('when complaints are counted, then each product, category, queue and source gets its count, a missing product is "unknown", and the total is kept', () => {
    const counts = countComplaints(hour, [
      { product: 'credit-card', category: 'billing', queue: 'billing', source: 'api' },
      { product: 'credit-card', category: 'fraud', queue: 'fraud', source: 'generic-crm' },
      { product: null, category: 'billing', queue: 'cn-service', source: 'api' },
    ]);
    expect(counts).toMatchObject({ key: 'hour|2026-12-03T09Z', period: 'hour', total: 3 });
    expect(counts.series).toEqual([
      { dimension: 'category', value: 'billing', count: 2 },
      { dimension: 'category', value: 'fraud', count: 1 },
      { dimension: 'product', value: 'credit-card', count: 2 },
      { dimension: 'product', value: 'unknown', count: 1 },
      { dimension: 'queue', value: 'billing', count: 1 },
      { dimension: 'queue', value: 'cn-service', count: 1 },
      { dimension: 'queue', value: 'fraud', count: 1 },
      { dimension: 'source', value: 'api', count: 2 },
      { dimension: 'source', value: 'generic-crm', count: 1 },
      { dimension: 'total', value: 'all', count: 3 },
    ]);
  });

  it('when an hour had no complaints, then it is still a counted bucket with a total of 0', () => {
    expect(countComplaints(hour, [])).toMatchObject({
      total: 0,
      series: [{ dimension: 'total', value: 'all', count: 0 }],
    });
  });

  it('when a day is summed from its hours, then every series adds up', () => {
    const day = dayBucket(hour.start);
    const a = countComplaints(hour, [
      { product: 'loan', category: 'billing', queue: 'billing', source: 'api' },
    ]);
    const b = countComplaints(hourBucket(new Date('2026-12-03T10:00:00Z')), [
      { product: 'loan', category: 'fraud', queue: 'fraud', source: 'api' },
    ]);
    const sum = sumCounts(day, [a, b]);
    expect(sum).toMatchObject({ key: 'day|2026-12-03', period: 'day', total: 2 });
    expect(sum.series).toContainEqual({ dimension: 'product', value: 'loan', count: 2 });
    expect(sum.series).toContainEqual({ dimension: 'category', value: 'fraud', count: 1 });
    expect(sum.series).toContainEqual({ dimension: 'total', value: 'all', count: 2 });
  });
});

describe('baselines', () => {
  it('when four weeks were counted, then the baseline is their mean and sample standard deviation', () => {
    expect(
      baselineOf(
        'product',
        'credit-card',
        [2, 3, 2, 3].map((c) => weekWith(c)),
      ),
    ).toEqual({
      weeks: 4,
      mean: 2.5,
      sd: 0.577,
      counts: [2, 3, 2, 3],
    });
  });

  it('when a week was counted but the series did not appear, then that week counts as 0', () => {
    expect(baselineOf('product', 'credit-card', [weekWith(4), weekWith(undefined)])).toMatchObject({
      weeks: 2,
      mean: 2,
      counts: [4, 0],
    });
  });

  it('when fewer than four weeks of history exist, then only the weeks that were counted make the baseline', () => {
    expect(baselineOf('product', 'credit-card', [weekWith(3), undefined, undefined, undefined])).toEqual({
      weeks: 1,
      mean: 3,
      sd: 0,
      counts: [3],
    });
    expect(baselineOf('product', 'credit-card', [undefined, undefined, undefined, undefined])).toEqual({
      weeks: 0,
      mean: 0,
      sd: 0,
      counts: [],
    });
  });
});

describe('the spike decision', () => {
  const baseline = baselineOf(
    'product',
    'credit-card',
    [2, 3, 2, 3].map((c) => weekWith(c)),
  );

  it('when a count is above mean + 3 sd and at least minCount, then it is a spike', () => {
    // 2.5 + 3 × 0.57735 = 4.232 (from the counts, not the rounded sd)
    expect(judgeSpike(5, baseline, threshold, 2)).toEqual({ spike: true, limit: 4.232 });
  });

  it('when a count is above mean + 3 sd but below minCount, then it is not a spike', () => {
    expect(judgeSpike(5, baseline, { ...threshold, minCount: 6 }, 2)).toEqual({
      spike: false,
      limit: 4.232,
      why: 'below-min-count',
    });
  });

  it('when a count is within mean + 3 sd, then it is not a spike', () => {
    const wide = baselineOf(
      'product',
      'credit-card',
      [2, 10, 2, 10].map((c) => weekWith(c)),
    );
    expect(judgeSpike(12, wide, threshold, 2)).toMatchObject({ spike: false, why: 'within-baseline' });
  });

  it('when the baseline never varied (sd 0), then a spike is a count above ratio × mean', () => {
    const flat = baselineOf(
      'product',
      'credit-card',
      [4, 4, 4, 4].map((c) => weekWith(c)),
    );
    expect(flat.sd).toBe(0);
    expect(judgeSpike(12, flat, threshold, 2)).toEqual({ spike: false, limit: 12, why: 'within-baseline' });
    expect(judgeSpike(13, flat, threshold, 2)).toEqual({ spike: true, limit: 12 });
  });

  it('when the series was always 0, then minCount complaints are a spike', () => {
    const silent = baselineOf(
      'product',
      'credit-card',
      [0, 0, 0, 0].map((c) => weekWith(c)),
    );
    expect(judgeSpike(4, silent, threshold, 2)).toMatchObject({ spike: false, why: 'below-min-count' });
    expect(judgeSpike(5, silent, threshold, 2)).toEqual({ spike: true, limit: 0 });
  });

  it('when there are fewer baseline weeks than minHistoryWeeks, then nothing is a spike yet', () => {
    const young = baselineOf('product', 'credit-card', [weekWith(1), undefined, undefined, undefined]);
    expect(judgeSpike(100, young, threshold, 2)).toEqual({
      spike: false,
      limit: null,
      why: 'not-enough-history',
    });
    expect(judgeSpike(100, young, threshold, 1)).toEqual({ spike: true, limit: 3 });
  });

  it('when any history and count are judged (enough history), then a spike is exactly a count at least minCount and above the limit, and above the mean', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50 }), { minLength: 2, maxLength: 4 }),
        fc.nat({ max: 200 }),
        (history, count) => {
          const b = baselineOf(
            'product',
            'credit-card',
            history.map((c) => weekWith(c)),
          );
          const verdict = judgeSpike(count, b, threshold, 2);
          expect(verdict.spike).toBe(count >= threshold.minCount && count > verdict.limit!);
          if (verdict.spike) expect(count).toBeGreaterThan(b.mean);
        },
      ),
    );
  });
});
