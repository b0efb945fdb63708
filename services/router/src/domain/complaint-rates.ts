import type { ComplaintRateDimension, SpikeThreshold } from '@triage/rules';

/*
 * Complaint-rate arithmetic: buckets, counts, baselines and the spike decision. Pure.
 *
 * Buckets are UTC hours and UTC days. A UTC hour is always 3,600 s and a week always 168 of
 * them, so "the same weekday and hour, 1–4 weeks ago" is exactly start − n × 7 × 24 h, with
 * no daylight-saving gaps or doubled hours to special-case. A business in Shanghai (no DST)
 * sees its own hours shifted by 8; one in Europe sees its local hour move by one twice a year,
 * for a week's baseline at most.
 */

export type RatePeriod = 'hour' | 'day';
/** The four dimensions, plus `total` (value `all`): every routed complaint of the bucket. */
export type RateSeriesDimension = ComplaintRateDimension | 'total';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** How many earlier weeks a baseline looks at. */
export const BASELINE_WEEKS = 4;
/** What a complaint without a product (or another dimension) is counted under. */
export const UNKNOWN_VALUE = 'unknown';

export interface RateBucket {
  period: RatePeriod;
  start: Date;
  end: Date;
  /** The stored document's `_id`: `hour|2026-12-03T09Z` or `day|2026-12-03`. */
  key: string;
}

function bucketAt(period: RatePeriod, startMs: number): RateBucket {
  const start = new Date(startMs);
  const iso = start.toISOString();
  const key = period === 'hour' ? `hour|${iso.slice(0, 13)}Z` : `day|${iso.slice(0, 10)}`;
  return { period, start, end: new Date(startMs + (period === 'hour' ? HOUR_MS : DAY_MS)), key };
}

/** The UTC hour `at` falls in. */
export function hourBucket(at: Date): RateBucket {
  return bucketAt('hour', Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** The UTC day `at` falls in. */
export function dayBucket(at: Date): RateBucket {
  return bucketAt('day', Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

export function bucketOf(period: RatePeriod, at: Date): RateBucket {
  return period === 'hour' ? hourBucket(at) : dayBucket(at);
}

/** The 24 hours of a day bucket, in order. */
export function hoursOfDay(day: RateBucket): RateBucket[] {
  return Array.from({ length: 24 }, (_, i) => hourBucket(new Date(day.start.getTime() + i * HOUR_MS)));
}

/** The same weekday (and hour) 1, 2, … `weeks` weeks before `bucket`, newest first. */
export function baselineBuckets(bucket: RateBucket, weeks = BASELINE_WEEKS): RateBucket[] {
  return Array.from({ length: weeks }, (_, i) =>
    bucketAt(bucket.period, bucket.start.getTime() - (i + 1) * WEEK_MS),
  );
}

export interface RateSeries {
  dimension: RateSeriesDimension;
  value: string;
  count: number;
}

/** The counts of one bucket, as stored (one document per bucket). */
export interface RateCounts {
  key: string;
  period: RatePeriod;
  start: Date;
  total: number;
  /** One entry per dimension and value seen, `total`/`all` included; sorted. */
  series: RateSeries[];
}

/** What counting needs of a routed complaint. */
export interface RatedComplaint {
  product?: string | null;
  category?: string | null;
  queue?: string | null;
  source?: string | null;
}

export const seriesKey = (dimension: string, value: string) => `${dimension}|${value}`;

function sortedSeries(counts: Map<string, RateSeries>): RateSeries[] {
  return [...counts.values()].sort(
    (a, b) => a.dimension.localeCompare(b.dimension) || b.count - a.count || a.value.localeCompare(b.value),
  );
}

function add(counts: Map<string, RateSeries>, dimension: RateSeriesDimension, value: string, by: number) {
  const key = seriesKey(dimension, value);
  const found = counts.get(key);
  if (found) found.count += by;
  else counts.set(key, { dimension, value, count: by });
}

/** Counts complaints per value of every dimension, and in total. */
export function countComplaints(bucket: RateBucket, complaints: readonly RatedComplaint[]): RateCounts {
  const counts = new Map<string, RateSeries>();
  add(counts, 'total', 'all', 0);
  for (const complaint of complaints) {
    add(counts, 'total', 'all', 1);
    add(counts, 'product', complaint.product?.trim() || UNKNOWN_VALUE, 1);
    add(counts, 'category', complaint.category || UNKNOWN_VALUE, 1);
    add(counts, 'queue', complaint.queue || UNKNOWN_VALUE, 1);
    add(counts, 'source', complaint.source || UNKNOWN_VALUE, 1);
  }
  return {
    key: bucket.key,
    period: bucket.period,
    start: bucket.start,
    total: complaints.length,
    series: sortedSeries(counts),
  };
}

/** A day's counts as the sum of the hours counted so far. */
export function sumCounts(bucket: RateBucket, parts: readonly RateCounts[]): RateCounts {
  const counts = new Map<string, RateSeries>();
  add(counts, 'total', 'all', 0);
  for (const part of parts) for (const s of part.series) add(counts, s.dimension, s.value, s.count);
  const total = parts.reduce((sum, part) => sum + part.total, 0);
  return { key: bucket.key, period: bucket.period, start: bucket.start, total, series: sortedSeries(counts) };
}

export interface Baseline {
  /** Earlier weeks that were counted (a week with no stored bucket is history we do not have). */
  weeks: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 with fewer than two weeks. */
  sd: number;
  counts: number[];
}

/**
 * The baseline of one series from the earlier weeks' buckets (`undefined`: not counted then).
 * A counted week in which the series did not appear counts as 0.
 */
export function baselineOf(
  dimension: RateSeriesDimension,
  value: string,
  history: ReadonlyArray<RateCounts | undefined>,
): Baseline {
  const counts = history.flatMap((week) =>
    week ? [week.series.find((s) => s.dimension === dimension && s.value === value)?.count ?? 0] : [],
  );
  const { mean, sd } = statsOf(counts);
  return { weeks: counts.length, mean: round(mean), sd: round(sd), counts };
}

/** Mean and sample standard deviation (n − 1; 0 with fewer than two values), unrounded. */
function statsOf(counts: readonly number[]): { mean: number; sd: number } {
  const n = counts.length;
  if (n === 0) return { mean: 0, sd: 0 };
  const mean = counts.reduce((sum, c) => sum + c, 0) / n;
  const variance = n < 2 ? 0 : counts.reduce((sum, c) => sum + (c - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(variance) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export type SpikeVerdict =
  | { spike: true; limit: number }
  | { spike: false; limit: number | null; why: 'not-enough-history' | 'below-min-count' | 'within-baseline' };

/**
 * A count is a spike when the baseline has at least `minHistoryWeeks` weeks, the count is at
 * least `minCount`, and it is above mean + deviations × sd — or, when the baseline never
 * varied (sd 0), above ratio × mean (so a series that was always 0 spikes at minCount).
 */
export function judgeSpike(
  count: number,
  baseline: Baseline,
  threshold: SpikeThreshold,
  minHistoryWeeks: number,
): SpikeVerdict {
  // From the weeks' counts, not the rounded mean and sd the baseline shows.
  const { mean, sd } = statsOf(baseline.counts);
  const limit = round(sd > 0 ? mean + threshold.deviations * sd : threshold.ratio * mean);
  if (baseline.weeks < minHistoryWeeks) return { spike: false, limit: null, why: 'not-enough-history' };
  if (count < threshold.minCount) return { spike: false, limit, why: 'below-min-count' };
  if (count <= limit) return { spike: false, limit, why: 'within-baseline' };
  return { spike: true, limit };
}
