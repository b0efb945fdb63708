import type { Connection } from 'mongoose';
import type { BlocklistEntry, BlocklistHistoryEvent, BlocklistStatus } from '../domain/blocklist';
import type { BlocklistStore, RuleListingRequest, RuleListingStore } from '../domain/ports';

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
  status?: BlocklistStatus;
  owner?: string | null;
  reviewer?: string | null;
  confirmBy?: Date | null;
  listingId?: string | null;
  confirmedBy?: string | null;
  confirmedAt?: Date | null;
}

/** What an admin's block sets besides its own fields: it replaces any rule listing outright. */
const adminEntryFields = {
  status: 'active' as const,
  owner: null,
  reviewer: null,
  confirmBy: null,
  listingId: null,
  confirmedBy: null,
  confirmedAt: null,
};

const DUPLICATE_KEY = 11000;

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
    status: document.status ?? 'active',
    owner: document.owner ?? null,
    reviewer: document.reviewer ?? null,
    confirmBy: document.confirmBy ?? null,
    listingId: document.listingId ?? null,
    confirmedBy: document.confirmedBy ?? null,
    confirmedAt: document.confirmedAt ?? null,
  };
}

/**
 * The filter for "this entry blocks at `at`" (entries written without addedAt count from the
 * start); a rule listing awaiting confirmation blocks only until its confirmBy.
 */
function inForceAt(at: Date): Record<string, unknown> {
  return {
    until: { $gt: at },
    $and: [
      { $or: [{ addedAt: { $exists: false } }, { addedAt: { $lte: at } }] },
      { $or: [{ removedAt: null }, { removedAt: { $gt: at } }] },
      { $or: [{ status: { $ne: 'pending-confirmation' } }, { confirmBy: { $gt: at } }] },
    ],
  };
}

/** The filter for "this entry no longer blocks at `at`": expired, removed, or a lapsed-but-unprocessed listing. */
function endedBy(at: Date): Record<string, unknown> {
  return {
    $or: [
      { until: { $lte: at } },
      { removedAt: { $lte: at } },
      { status: 'pending-confirmation', confirmBy: { $lte: at } },
    ],
  };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

export class BlocklistRepository implements BlocklistStore, RuleListingStore {
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
          ...adminEntryFields,
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

  /**
   * A rule listing: replaces an entry that has ended (one update guarded on it having ended and
   * on not being this very listing), else inserts the customer's first entry (`_id` unique: an
   * entry that appeared meanwhile wins). Never touches an entry in force — an admin's or
   * another listing.
   */
  async autoList(
    request: RuleListingRequest,
  ): Promise<{ outcome: 'listed' | 'ours' | 'already-listed'; entry: BlocklistEntry | null }> {
    const event: BlocklistHistoryEvent = {
      action: 'auto-listed',
      at: request.at,
      by: request.owner,
      until: request.until,
      reason: request.reason,
      reviewer: request.reviewer,
      confirmBy: request.confirmBy,
      complaintId: request.listingId,
    };
    const fields = {
      customerId: request.customerId,
      until: request.until,
      reason: request.reason,
      addedBy: request.owner,
      addedAt: request.at,
      removedAt: null,
      removedBy: null,
      removalReason: null,
      status: 'pending-confirmation' as const,
      owner: request.owner,
      reviewer: request.reviewer,
      confirmBy: request.confirmBy,
      listingId: request.listingId,
      confirmedBy: null,
      confirmedAt: null,
    };
    const replaced = await this.collection.findOneAndUpdate(
      { _id: request.customerId, listingId: { $ne: request.listingId }, ...endedBy(request.at) },
      { $set: fields, $push: { history: event } },
      { returnDocument: 'after' },
    );
    if (replaced) return { outcome: 'listed', entry: toEntry(replaced) };
    try {
      await this.collection.insertOne({ _id: request.customerId, ...fields, history: [event] });
      return { outcome: 'listed', entry: toEntry({ _id: request.customerId, ...fields, history: [event] }) };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const existing = await this.find(request.customerId);
    return existing?.listingId === request.listingId
      ? { outcome: 'ours', entry: existing }
      : { outcome: 'already-listed', entry: existing };
  }

  async confirm(change: {
    customerId: string;
    listingId: string;
    by: string;
    at: Date;
    reason: string;
  }): Promise<BlocklistEntry | null> {
    const event: BlocklistHistoryEvent = {
      action: 'confirmed',
      at: change.at,
      by: change.by,
      reason: change.reason,
    };
    const document = await this.collection.findOneAndUpdate(
      {
        _id: change.customerId,
        listingId: change.listingId,
        status: 'pending-confirmation',
        confirmBy: { $gt: change.at },
        removedAt: null,
      },
      {
        $set: { status: 'confirmed', confirmedBy: change.by, confirmedAt: change.at },
        $push: { history: event },
      },
      { returnDocument: 'after' },
    );
    return document ? toEntry(document) : null;
  }

  async lapse(change: {
    customerId: string;
    listingId: string;
    by: string;
    at: Date;
    reason: string;
  }): Promise<BlocklistEntry | null> {
    const event: BlocklistHistoryEvent = {
      action: 'lapsed',
      at: change.at,
      by: change.by,
      reason: change.reason,
    };
    const document = await this.collection.findOneAndUpdate(
      {
        _id: change.customerId,
        listingId: change.listingId,
        status: 'pending-confirmation',
        removedAt: null,
      },
      {
        $set: { status: 'lapsed', removedAt: change.at, removedBy: change.by, removalReason: change.reason },
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
