import type { Logger } from '@triage/shared/kernel';
import type { ComplaintRecord, TicketState } from '@triage/shared/complaint';
import type { ComplaintModel } from '@triage/shared/infra';
import type { ClaimIndexRepair } from '../domain/ports';
import type { ClaimIndex, ClaimIndexEntry } from './claim-index';

const indexProjection = {
  _id: 1,
  status: 1,
  receivedAt: 1,
  'ticket.queue': 1,
  'ticket.skills': 1,
  'ticket.priorityScore': 1,
  'ticket.dueAt': 1,
} as const;

type IndexedFields = Pick<ComplaintRecord, '_id' | 'status' | 'receivedAt'> & {
  ticket?: Pick<TicketState, 'queue' | 'skills' | 'priorityScore' | 'dueAt'>;
};

function indexEntryOf(doc: IndexedFields): ClaimIndexEntry | undefined {
  if (doc.status !== 'queued' || !doc.ticket) return undefined;
  return {
    ticketId: doc._id,
    queue: doc.ticket.queue,
    skills: doc.ticket.skills ?? [],
    priorityScore: doc.ticket.priorityScore,
    dueAt: new Date(doc.ticket.dueAt),
    receivedAt: new Date(doc.receivedAt),
  };
}

/**
 * Keeps the claim index (Redis) in step with the stored tickets (MongoDB, the truth): after each
 * write, and by reconciliation (ADR 0006). Without an index it does nothing.
 */
export class ClaimIndexSync {
  constructor(
    private readonly model: ComplaintModel,
    private readonly index: ClaimIndex | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * After a document was written: a waiting ticket gets (or moves) its entry. A failure only
   * delays the ticket's entry until the sweep: MongoDB stays the truth, and a claim that finds
   * the index empty asks MongoDB.
   */
  async afterWrite(doc: ComplaintRecord | null): Promise<ComplaintRecord | null> {
    const entry = doc ? indexEntryOf(doc) : undefined;
    if (entry && this.index) {
      try {
        await this.index.upsert(entry);
      } catch (error) {
        this.logger?.warn({ err: error, complaintId: entry.ticketId }, 'claim index not updated');
      }
    }
    return doc;
  }

  /**
   * Brings the claim index in line with MongoDB (the maintenance sweep, and start-up): adds the
   * waiting tickets it lacks (a crash between the write and the index update, a Redis that lost
   * its data), corrects entries whose order changed, removes entries of tickets no longer
   * waiting. Every correction re-reads the ticket and is conditional on the entry it saw, so it
   * never overwrites a newer entry.
   */
  async reconcile(): Promise<ClaimIndexRepair> {
    const repair: ClaimIndexRepair = { added: 0, fixed: 0, removed: 0 };
    const index = this.index;
    if (!index) return repair;
    const entries = await index.entries();
    const waiting = await this.model.find({ status: 'queued' }, indexProjection).lean<IndexedFields[]>();
    const suspects = new Map<string, string>();
    for (const doc of waiting) {
      const entry = indexEntryOf(doc);
      if (!entry) continue;
      const current = entries.get(doc._id);
      entries.delete(doc._id);
      if (current === undefined) {
        if (await index.addIfAbsent(entry)) repair.added++;
      } else if (current !== index.valueOf(entry)) {
        suspects.set(doc._id, current);
      }
    }
    for (const [id, value] of entries) suspects.set(id, value);
    for (const [id, seen] of suspects) {
      const fresh = await this.model.findById(id, indexProjection).lean<IndexedFields>();
      const entry = fresh ? indexEntryOf(fresh) : undefined;
      if (entry && index.valueOf(entry) === seen) continue;
      if (!(await index.removeIf(id, seen))) continue; // changed meanwhile: the newer entry stands
      if (entry) {
        if (await index.addIfAbsent(entry)) repair.fixed++;
      } else {
        repair.removed++;
      }
    }
    return repair;
  }
}
