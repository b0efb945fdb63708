import type { Connection } from 'mongoose';
import type { BlocklistEntry, BlocklistHistoryEvent } from '../domain/blocklist';
import type { BlocklistStore } from '../domain/ports';

/** One document per customer (`_id` is the customer id): state and history change in one update. */
interface BlocklistDocument {
  _id: string;
  customerId: string;
  until: Date;
  reason: string;
  addedBy: string;
  addedAt?: Date;
  removedAt?: Date | null;
  removedBy?: string | null;
  removalReason?: string | null;
  history?: BlocklistHistoryEvent[];
}

/** Most entries a listing returns. */
const LIST_LIMIT = 1000;

function toEntry(document: BlocklistDocument): BlocklistEntry {
  return {
    customerId: document.customerId,
    until: document.until,
    reason: document.reason,
    addedBy: document.addedBy,
    addedAt: document.addedAt ?? new Date(0),
    removedAt: document.removedAt ?? null,
    removedBy: document.removedBy ?? null,
    removalReason: document.removalReason ?? null,
    history: document.history ?? [],
  };
}

/** The filter for "this entry blocks at `at`" (entries written without addedAt count from the start). */
function inForceAt(at: Date): Record<string, unknown> {
  return {
    until: { $gt: at },
    $and: [
      { $or: [{ addedAt: { $exists: false } }, { addedAt: { $lte: at } }] },
      { $or: [{ removedAt: null }, { removedAt: { $gt: at } }] },
    ],
  };
}

export class BlocklistRepository implements BlocklistStore {
  private readonly collection;

  constructor(connection: Connection) {
    this.collection = connection.collection<BlocklistDocument>('blocklist');
  }

  async block(change: {
    customerId: string;
    until: Date;
    reason: string;
    by: string;
    at: Date;
  }): Promise<{ entry: BlocklistEntry; created: boolean }> {
    const event: BlocklistHistoryEvent = {
      action: 'blocked',
      at: change.at,
      by: change.by,
      until: change.until,
      reason: change.reason,
    };
    const result = await this.collection.findOneAndUpdate(
      { _id: change.customerId },
      {
        $set: {
          customerId: change.customerId,
          until: change.until,
          reason: change.reason,
          addedBy: change.by,
          addedAt: change.at,
          removedAt: null,
          removedBy: null,
          removalReason: null,
        },
        $push: { history: event },
      },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    if (!result.value) throw new Error(`blocklist upsert for ${change.customerId} returned no document`);
    return { entry: toEntry(result.value), created: result.lastErrorObject?.updatedExisting !== true };
  }

  async unblock(change: {
    customerId: string;
    by: string;
    at: Date;
    reason?: string;
  }): Promise<BlocklistEntry | null> {
    const event: BlocklistHistoryEvent = {
      action: 'unblocked',
      at: change.at,
      by: change.by,
      ...(change.reason ? { reason: change.reason } : {}),
    };
    const document = await this.collection.findOneAndUpdate(
      { _id: change.customerId, removedAt: null },
      {
        $set: { removedAt: change.at, removedBy: change.by, removalReason: change.reason ?? null },
        $push: { history: event },
      },
      { returnDocument: 'after' },
    );
    return document ? toEntry(document) : null;
  }

  async find(customerId: string): Promise<BlocklistEntry | null> {
    const document = await this.collection.findOne({ _id: customerId });
    return document ? toEntry(document) : null;
  }

  async list(options: { at: Date; includeInactive: boolean }): Promise<BlocklistEntry[]> {
    const filter = options.includeInactive ? {} : inForceAt(options.at);
    const documents = await this.collection.find(filter).sort({ addedAt: -1 }).limit(LIST_LIMIT).toArray();
    return documents.map(toEntry);
  }

  /** Whether the customer is blocked at `at` (a fact source for the rules). */
  async isBlocklisted(customerId: string, at: Date): Promise<boolean> {
    // By _id (= the customer id): the stand-in scans the collection for any other filter.
    return (
      (await this.collection.findOne({ _id: customerId, ...inForceAt(at) }, { projection: { _id: 1 } })) !==
      null
    );
  }
}
