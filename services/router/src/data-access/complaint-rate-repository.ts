import { complaintModel } from '@triage/shared/infra';
import type { Connection } from 'mongoose';
import type { RateStore } from '../domain/complaint-rate-ports';
import type { RateCounts, RatedComplaint, RatePeriod, RateSeries } from '../domain/complaint-rates';

interface RateCountsDocument {
  _id: string;
  period: RatePeriod;
  start: Date;
  total: number;
  series: RateSeries[];
  countedAt: Date;
}

interface RoutedRow {
  product?: string;
  source?: string;
  decision?: { category?: string };
  ticket?: { queue?: string };
}

/** The hard cap of complaints one hour's count reads (far above any real hour). */
const MAX_PER_HOUR = 200_000;

/**
 * `complaintRates`: one document per counted bucket, `_id` `hour|2026-12-03T09Z` or
 * `day|2026-12-03`, replaced whole by every count ($set, never $inc), so a replay cannot
 * count twice. Baselines and reports read it by `_id` only.
 */
export class ComplaintRateRepository implements RateStore {
  private readonly complaints;
  private readonly counts;

  constructor(connection: Connection) {
    this.complaints = complaintModel(connection);
    this.counts = connection.collection<RateCountsDocument>('complaintRates');
  }

  /**
   * An index on receivedAt for the hourly count (and the KPI report's range). A real MongoDB
   * uses it; the stand-in (ADR 0001) scans the complaints, once per run and hour.
   */
  async ensureIndexes(): Promise<void> {
    await this.complaints.collection.createIndex({ receivedAt: 1 });
  }

  async routedComplaints(from: Date, to: Date): Promise<RatedComplaint[]> {
    const rows = await this.complaints
      .find(
        { receivedAt: { $gte: from, $lt: to }, ticket: { $exists: true } },
        { _id: 0, product: 1, source: 1, 'decision.category': 1, 'ticket.queue': 1 },
      )
      .limit(MAX_PER_HOUR)
      .lean<RoutedRow[]>();
    return rows.map((row) => ({
      product: row.product ?? null,
      category: row.decision?.category ?? null,
      queue: row.ticket?.queue ?? null,
      source: row.source ?? null,
    }));
  }

  async saveCounts(counts: RateCounts, countedAt: Date): Promise<void> {
    await this.counts.updateOne(
      { _id: counts.key },
      {
        $set: {
          period: counts.period,
          start: counts.start,
          total: counts.total,
          series: counts.series,
          countedAt,
        },
      },
      { upsert: true },
    );
  }

  async findCounts(keys: readonly string[]): Promise<Map<string, RateCounts>> {
    if (keys.length === 0) return new Map();
    const docs = await this.counts.find({ _id: { $in: [...keys] } }).toArray();
    return new Map(
      docs.map((doc) => [
        doc._id,
        { key: doc._id, period: doc.period, start: doc.start, total: doc.total, series: doc.series },
      ]),
    );
  }
}
