import type { RateAlert, RateMonitorDeps } from './complaint-rate-ports';
import {
  baselineBuckets,
  baselineOf,
  countComplaints,
  dayBucket,
  hourBucket,
  hoursOfDay,
  judgeSpike,
  sumCounts,
  type RateBucket,
  type RateCounts,
} from './complaint-rates';

const HOUR_MS = 3_600_000;

export interface RateMonitorResult {
  /** The buckets counted, by key, with their totals. */
  counted: Record<string, number>;
  /** Spikes seen in this run (new or already raised). */
  spikes: number;
  /** Alerts this run raised for the first time. */
  raised: string[];
}

/** `complaint-rate|<bucket>|<dimension>|<value>`: one alert per bucket and series, whoever sees it. */
export const rateAlertId = (bucketKey: string, dimension: string, value: string) =>
  `complaint-rate|${bucketKey}|${dimension}|${value}`;

/** A BullMQ job id of the alert's notification (no ':' allowed there; the rest is kept readable). */
export const rateAlertNotifyId = (alertId: string) => `rate-alert-${alertId.replace(/[^\w.|-]/g, '_')}`;

/**
 * Counts the complaints of the hour `at` falls in and of the hour before (which may have
 * received complaints after the last run), sums their days from the stored hours, and checks
 * every series of those buckets against its baseline. Each bucket's document is replaced, not
 * incremented, so running this twice — or in two processes — changes nothing the second time;
 * an alert has a deterministic id and is raised once.
 */
export async function monitorComplaintRates(deps: RateMonitorDeps, at: Date): Promise<RateMonitorResult> {
  const now = new Date();
  const result: RateMonitorResult = { counted: {}, spikes: 0, raised: [] };
  const hours = [hourBucket(new Date(at.getTime() - HOUR_MS)), hourBucket(at)];
  const counted: Array<{ bucket: RateBucket; counts: RateCounts }> = [];
  for (const hour of hours) {
    const counts = countComplaints(hour, await deps.rates.routedComplaints(hour.start, hour.end));
    await deps.rates.saveCounts(counts, now);
    counted.push({ bucket: hour, counts });
  }
  const days = new Map(hours.map((hour) => [dayBucket(hour.start).key, dayBucket(hour.start)]));
  for (const day of days.values()) {
    const stored = await deps.rates.findCounts(hoursOfDay(day).map((hour) => hour.key));
    const counts = sumCounts(day, [...stored.values()]);
    await deps.rates.saveCounts(counts, now);
    counted.push({ bucket: day, counts });
  }
  for (const { bucket, counts } of counted) {
    result.counted[bucket.key] = counts.total;
    for (const alert of await spikesOf(deps, bucket, counts, now)) {
      result.spikes += 1;
      if (await deps.alerts.raise(alert)) {
        result.raised.push(alert.id);
        deps.onRaised?.(alert);
        deps.logger.warn(
          { alertId: alert.id, count: alert.count, baseline: alert.baseline, limit: alert.limit },
          'complaint-rate spike',
        );
      }
      await notifyOf(deps, alert);
    }
  }
  return result;
}

async function spikesOf(
  deps: RateMonitorDeps,
  bucket: RateBucket,
  counts: RateCounts,
  now: Date,
): Promise<RateAlert[]> {
  const settings = deps.settings();
  const threshold = settings[bucket.period];
  const weeks = baselineBuckets(bucket);
  const stored = await deps.rates.findCounts(weeks.map((week) => week.key));
  const history = weeks.map((week) => stored.get(week.key));
  const watched = new Set<string>(settings.alertOn);
  return counts.series.flatMap((series) => {
    if (!watched.has(series.dimension)) return [];
    const baseline = baselineOf(series.dimension, series.value, history);
    const verdict = judgeSpike(series.count, baseline, threshold, settings.minHistoryWeeks);
    if (!verdict.spike) return [];
    return [
      {
        id: rateAlertId(bucket.key, series.dimension, series.value),
        kind: 'complaint-rate-spike',
        period: bucket.period,
        bucketStart: bucket.start,
        dimension: series.dimension,
        value: series.value,
        count: series.count,
        baseline,
        limit: verdict.limit,
        raisedAt: now,
        openUntil: new Date(bucket.end.getTime() + HOUR_MS),
      } satisfies RateAlert,
    ];
  });
}

/**
 * Queues the alert's webhook. Asked on every run that sees the spike, with the same job id, so
 * BullMQ keeps one delivery — and a process that died between raising and queueing is made good.
 */
async function notifyOf(deps: RateMonitorDeps, alert: RateAlert): Promise<void> {
  const url = deps.settings().notify?.url;
  if (!url) return;
  await deps.notify({
    id: rateAlertNotifyId(alert.id),
    // The notify queue records deliveries on a complaint; an alert id matches none.
    complaintId: alert.id,
    url,
    payload: {
      type: 'complaint-rate-spike',
      alertId: alert.id,
      period: alert.period,
      bucketStart: alert.bucketStart.toISOString(),
      dimension: alert.dimension,
      value: alert.value,
      count: alert.count,
      baseline: { weeks: alert.baseline.weeks, mean: alert.baseline.mean, sd: alert.baseline.sd },
      limit: alert.limit,
    },
  });
}
