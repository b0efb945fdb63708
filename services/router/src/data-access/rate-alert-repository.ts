import type { Connection } from 'mongoose';
import type { AlertStore, RateAlert } from '../domain/complaint-rate-ports';

type AlertDocument = Omit<RateAlert, 'id'> & { _id: string; lastSeenAt: Date };

const isDuplicateKey = (error: unknown) => (error as { code?: number } | null)?.code === 11000;

/**
 * `alerts`: one document per alert, `_id` deterministic (`complaint-rate|<bucket>|<dimension>|<value>`).
 * Raising is one upsert: `$setOnInsert` keeps the first sighting, `$set` the latest count.
 * The open-alerts query filters on `openUntil` (a scan on the stand-in; alerts are few).
 */
export class RateAlertRepository implements AlertStore {
  private readonly alerts;

  constructor(connection: Connection) {
    this.alerts = connection.collection<AlertDocument>('alerts');
  }

  async ensureIndexes(): Promise<void> {
    await this.alerts.createIndex({ openUntil: 1, kind: 1 });
  }

  async raise(alert: RateAlert): Promise<boolean> {
    const { id, count, ...first } = alert;
    const update = {
      $setOnInsert: first,
      $set: { count, lastSeenAt: alert.raisedAt },
    };
    try {
      const result = await this.alerts.updateOne({ _id: id }, update, { upsert: true });
      return result.upsertedCount === 1;
    } catch (error) {
      // Two routers raised it at the same moment: the other one's insert won.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async open(now: Date, limit: number): Promise<RateAlert[]> {
    const docs = await this.alerts
      .find({ openUntil: { $gt: now }, kind: 'complaint-rate-spike' }, { projection: { lastSeenAt: 0 } })
      .sort({ raisedAt: -1 })
      .limit(limit)
      .toArray();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }
}
