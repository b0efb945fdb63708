import type { ComplaintRatesFile } from '@triage/rules';
import type { Logger } from '@triage/shared/kernel';
import type { NotifyRequest } from './ports';
import type {
  Baseline,
  RateCounts,
  RatedComplaint,
  RatePeriod,
  RateSeriesDimension,
} from './complaint-rates';

/** Stored complaint counts: one document per bucket, by `_id` (`RateCounts.key`). */
export interface RateStore {
  /** The complaints routed (given a ticket) that were received in [from, to). */
  routedComplaints(from: Date, to: Date): Promise<RatedComplaint[]>;
  /** Replaces a bucket's counts (idempotent: the same complaints give the same document). */
  saveCounts(counts: RateCounts, countedAt: Date): Promise<void>;
  /** The buckets of these keys that were counted, by key. */
  findCounts(keys: readonly string[]): Promise<Map<string, RateCounts>>;
}

/** A complaint-rate spike, raised once per bucket, dimension and value. */
export interface RateAlert {
  /** Deterministic: `complaint-rate|<bucket key>|<dimension>|<value>`. */
  id: string;
  kind: 'complaint-rate-spike';
  period: RatePeriod;
  bucketStart: Date;
  dimension: RateSeriesDimension;
  value: string;
  count: number;
  baseline: Baseline;
  /** The count it had to exceed. */
  limit: number;
  raisedAt: Date;
  /** Shown (dashboard, GET /v1/reports/alerts) until then: the end of the bucket plus one hour. */
  openUntil: Date;
}

export interface AlertStore {
  /** Stores the alert unless it exists (then only its count is updated); true when it is new. */
  raise(alert: RateAlert): Promise<boolean>;
  /** Alerts still open at `now`, newest first. */
  open(now: Date, limit: number): Promise<RateAlert[]>;
}

export interface RateMonitorDeps {
  rates: RateStore;
  alerts: AlertStore;
  /** The monitoring rules as last loaded (rules/complaint-rates.json). */
  settings: () => ComplaintRatesFile;
  notify: (request: NotifyRequest) => Promise<void>;
  /** Called once per new alert, by the process that raised it (metrics). */
  onRaised?: (alert: RateAlert) => void;
  logger: Logger;
}
