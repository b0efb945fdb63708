import type { AlertStore, RateAlert, RateStore } from '../../src/domain/complaint-rate-ports';
import type { RateCounts, RatedComplaint } from '../../src/domain/complaint-rates';

/** A routed complaint as the fake store holds it: when it arrived and what it is counted under. */
export interface FakeRoutedComplaint extends RatedComplaint {
  receivedAt: Date;
}

/** The `complaintRates` collection in memory: one document per bucket key, replaced by a save. */
export class FakeRateStore implements RateStore {
  readonly complaints: FakeRoutedComplaint[] = [];
  readonly counts = new Map<string, RateCounts>();
  saves = 0;

  async routedComplaints(from: Date, to: Date): Promise<RatedComplaint[]> {
    return this.complaints.filter((c) => c.receivedAt >= from && c.receivedAt < to);
  }

  async saveCounts(counts: RateCounts): Promise<void> {
    this.saves += 1;
    this.counts.set(counts.key, structuredClone(counts));
  }

  async findCounts(keys: readonly string[]): Promise<Map<string, RateCounts>> {
    return new Map(
      keys.flatMap((key) => (this.counts.has(key) ? [[key, this.counts.get(key)!] as const] : [])),
    );
  }
}

/** The `alerts` collection in memory: raising an alert that exists only updates its count. */
export class FakeAlertStore implements AlertStore {
  readonly alerts = new Map<string, RateAlert>();

  async raise(alert: RateAlert): Promise<boolean> {
    const found = this.alerts.get(alert.id);
    if (found) {
      found.count = alert.count;
      return false;
    }
    this.alerts.set(alert.id, { ...alert });
    return true;
  }

  async open(now: Date, limit: number): Promise<RateAlert[]> {
    return [...this.alerts.values()]
      .filter((alert) => alert.openUntil > now)
      .sort((a, b) => b.raisedAt.getTime() - a.raisedAt.getTime())
      .slice(0, limit);
  }
}
