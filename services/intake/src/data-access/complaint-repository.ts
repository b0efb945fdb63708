import { NotFoundError, ServiceUnavailableError } from '@triage/shared/kernel';
import { complaintEvent, type ComplaintRecord, type ComplaintStatus } from '@triage/shared/complaint';
import { complaintModel, customerHistories, recordInHistory } from '@triage/shared/infra';
import type { Connection } from 'mongoose';
import type { ComplaintStore, StuckComplaint, StuckComplaintFinder } from '../domain/ports';

const DUPLICATE_KEY = 11000;

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DUPLICATE_KEY;
}

function isMongoUnavailable(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return /MongoServerSelectionError|MongoNetworkError|MongoNotConnectedError|MongoTopologyClosedError|MongooseServerSelectionError/.test(
    name,
  );
}

/** Translates "MongoDB is away" into a 503 with Retry-After; everything else passes through. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isMongoUnavailable(error)) {
      throw new ServiceUnavailableError(
        'The complaint store is unavailable; nothing was saved. Retry later.',
        5,
        { cause: error },
      );
    }
    throw error;
  }
}

export class ComplaintRepository implements ComplaintStore, StuckComplaintFinder {
  private readonly model;
  private readonly histories;

  constructor(connection: Connection) {
    this.model = complaintModel(connection);
    this.histories = customerHistories(connection);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createCollection().catch(() => undefined);
    await this.model.createIndexes();
  }

  async insertOnce(
    record: ComplaintRecord,
  ): Promise<{ created: boolean; id: string; status: ComplaintStatus }> {
    return guard(async () => {
      try {
        await this.model.collection.insertOne(record as never);
        await this.recordInHistory(record.customer.id, record._id, record.receivedAt);
        return { created: true, id: record._id, status: record.status };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.model
          .findOne({ dedupeKey: record.dedupeKey }, { _id: 1, status: 1, 'customer.id': 1, receivedAt: 1 })
          .lean<{ _id: string; status: ComplaintStatus; customer: { id: string }; receivedAt: Date }>();
        if (!existing) throw error;
        // A retry of a request that stored the complaint and then failed: finish what it began.
        await this.recordInHistory(existing.customer.id, existing._id, existing.receivedAt);
        return { created: false, id: existing._id, status: existing.status };
      }
    });
  }

  /**
   * Adds the complaint to its customer's history document (ADR 0007), idempotently. A failure
   * here does not fail the submission: the complaint is stored, and the worker records it in
   * the history again while it triages it.
   */
  private async recordInHistory(customerId: string, id: string, receivedAt: Date): Promise<void> {
    try {
      await this.histories.findOneAndUpdate({ _id: customerId }, recordInHistory({ id, at: receivedAt }), {
        upsert: true,
        projection: { _id: 1 },
      });
    } catch {
      // Left to the worker (see above); MongoDB being away shows in the next step anyway.
    }
  }

  async markEnqueued(id: string, requestId: string | undefined, actor: string): Promise<void> {
    // findOneAndUpdate rather than updateOne: the stand-in serves the former from the _id index
    // but scans the collection for an updateOne with more than _id in its filter.
    await guard(() =>
      this.model
        .findOneAndUpdate(
          { _id: id, status: 'received' },
          {
            $set: { status: 'enqueued', updatedAt: new Date() },
            $push: { events: complaintEvent('enqueued', { actor, ...(requestId ? { requestId } : {}) }) },
          },
          { projection: { _id: 1 } },
        )
        .lean(),
    );
  }

  async findStuckInReceived(before: Date, limit: number): Promise<StuckComplaint[]> {
    const rows = await guard(() =>
      this.model
        .find({ status: 'received', updatedAt: { $lt: before } }, { _id: 1, requestId: 1 })
        .sort({ updatedAt: 1 })
        .limit(limit)
        .lean<Array<{ _id: string; requestId?: string }>>(),
    );
    return rows.map((row) => ({ id: row._id, ...(row.requestId ? { requestId: row.requestId } : {}) }));
  }

  async findById(id: string): Promise<ComplaintRecord> {
    const complaint = await guard(() => this.model.findById(id).lean<ComplaintRecord>());
    if (!complaint) throw new NotFoundError(`No complaint with id ${id}.`);
    return complaint;
  }
}
