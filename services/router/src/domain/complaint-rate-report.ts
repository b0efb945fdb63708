import type { ComplaintRatesFile } from '@triage/rules';
import type { RateStore } from './complaint-rate-ports';
import {
  baselineBuckets,
  baselineOf,
  bucketOf,
  judgeSpike,
  seriesKey,
  type Baseline,
  type RatePeriod,
  type RateSeriesDimension,
} from './complaint-rates';

export interface RatePoint {
  count: number;
  baseline: Baseline;
  /** The count a spike must exceed; null while there is not enough history. */
  limit: number | null;
  spike: boolean;
}

export interface RateSeriesView {
  value: string;
  hour: RatePoint;
  day: RatePoint;
}

export interface ComplaintRateReport {
  at: Date;
  hour: { start: Date; end: Date; counted: boolean };
  day: { start: Date; end: Date; counted: boolean };
  /** Per dimension (`total` included), the values counted in the hour or the day, busiest first. */
  dimensions: Record<RateSeriesDimension, RateSeriesView[]>;
}

const dimensionOrder: RateSeriesDimension[] = ['total', 'product', 'category', 'queue', 'source'];

/**
 * The hour and the day `at` falls in: every series' count next to its baseline (the same
 * weekday and hour of the previous four weeks). Ten lookups by `_id`: the two buckets and their
 * four earlier weeks each.
 */
export async function complaintRateReport(
  rates: Pick<RateStore, 'findCounts'>,
  settings: ComplaintRatesFile,
  at: Date,
): Promise<ComplaintRateReport> {
  const periods = (['hour', 'day'] as const).map((period) => {
    const bucket = bucketOf(period, at);
    return { period, bucket, weeks: baselineBuckets(bucket) };
  });
  const stored = await rates.findCounts(
    periods.flatMap(({ bucket, weeks }) => [bucket, ...weeks].map((b) => b.key)),
  );
  const seen = new Map<string, { dimension: RateSeriesDimension; value: string; busiest: number }>();
  for (const { bucket } of periods)
    for (const s of stored.get(bucket.key)?.series ?? []) {
      const key = seriesKey(s.dimension, s.value);
      seen.set(key, {
        dimension: s.dimension,
        value: s.value,
        busiest: Math.max(seen.get(key)?.busiest ?? 0, s.count),
      });
    }
  const pointOf = (period: RatePeriod, dimension: RateSeriesDimension, value: string): RatePoint => {
    const { bucket, weeks } = periods.find((p) => p.period === period)!;
    const count =
      stored.get(bucket.key)?.series.find((s) => s.dimension === dimension && s.value === value)?.count ?? 0;
    const baseline = baselineOf(
      dimension,
      value,
      weeks.map((week) => stored.get(week.key)),
    );
    const verdict = judgeSpike(count, baseline, settings[period], settings.minHistoryWeeks);
    return { count, baseline, limit: verdict.limit, spike: verdict.spike };
  };
  const dimensions = Object.fromEntries(dimensionOrder.map((d) => [d, [] as RateSeriesView[]])) as Record<
    RateSeriesDimension,
    RateSeriesView[]
  >;
  for (const { dimension, value } of [...seen.values()].sort(
    (a, b) => b.busiest - a.busiest || a.value.localeCompare(b.value),
  ))
    dimensions[dimension].push({
      value,
      hour: pointOf('hour', dimension, value),
      day: pointOf('day', dimension, value),
    });
  const [hour, day] = periods.map(({ bucket }) => ({
    start: bucket.start,
    end: bucket.end,
    counted: stored.has(bucket.key),
  }));
  return { at, hour: hour!, day: day!, dimensions };
}
