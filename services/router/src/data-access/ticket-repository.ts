import {
  complaintEvent,
  complaintModel,
  type ComplaintEvent,
  type ComplaintRecord,
  type ComplaintStatus,
  type TicketState,
} from '@triage/shared';
import type { Logger } from '@triage/shared';
import type { Connection } from 'mongoose';
import type { ClaimIndexRepair, ClaimRequest, EventOrigin, PatchGuard, SlaFiring } from '../domain/ports';
import type { ClaimIndex, ClaimIndexEntry, PoppedTicket } from './claim-index';
import { heldStatuses, leasedStatuses, openStatuses, type TicketPatch } from '../domain/ticket-lifecycle';

function eventOf(type: string, origin: EventOrigin, data?: Record<string, unknown>): ComplaintEvent {
  return complaintEvent(type, {
    actor: origin.actor,
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    ...(data ? { data } : {}),
  });
}

/** A claim answers with the ticket, not the rule trace (up to one entry per rule). */
const claimedProjection = { trace: 0 } as const;

/** Stale index entries a claim skips before it asks MongoDB directly. */
const MAX_STALE_POPS = 32;

const indexProjection = {
  _id: 1,
  status: 1,
  receivedAt: 1,
  'ticket.queue': 1,
  'ticket.priorityScore': 1,
  'ticket.dueAt': 1,
} as const;

type IndexedFields = Pick<ComplaintRecord, '_id' | 'status' | 'receivedAt'> & {
  ticket?: Pick<TicketState, 'queue' | 'priorityScore' | 'dueAt'>;
};

function indexEntryOf(doc: IndexedFields): ClaimIndexEntry | undefined {
  if (doc.status !== 'queued' || !doc.ticket) return undefined;
  return {
    ticketId: doc._id,
    queue: doc.ticket.queue,
    priorityScore: doc.ticket.priorityScore,
    dueAt: new Date(doc.ticket.dueAt),
    receivedAt: new Date(doc.receivedAt),
  };
}

/** The queue order: priority score, then earliest deadline, then arrival. */
export const queueOrder = { 'ticket.priorityScore': -1, 'ticket.dueAt': 1, receivedAt: 1 } as const;

export interface QueueStats {
  depth: number;
  active: number;
  oldestReceivedAt: Date | null;
  breached: number;
  atRisk: number;
}

/**
 * The complaint documents as tickets. Every state change is one update guarded by the state it
 * expects, with its history event pushed in the same update (ADR 0002).
 */
export class TicketRepository {
  readonly model;
  private readonly index: ClaimIndex | undefined;
  private readonly logger: Logger | undefined;

  /**
   * With a claim index, claims pop the best waiting ticket from Redis and take it with a guarded
   * update by _id (ADR 0006); without one, a claim is one sorted findOneAndUpdate (ADR 0002).
   */
  constructor(connection: Connection, options: { index?: ClaimIndex; logger?: Logger } = {}) {
    this.model = complaintModel(connection);
    this.index = options.index;
    this.logger = options.logger;
  }

  /**
   * Keeps the claim index in step with a document just written: a waiting ticket gets (or moves)
   * its entry. A failure only delays the ticket's entry until the sweep: MongoDB stays the truth,
   * and a claim that finds the index empty asks MongoDB.
   */
  private async indexed(doc: ComplaintRecord | null): Promise<ComplaintRecord | null> {
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

  async ensureIndexes(): Promise<void> {
    await this.model.createCollection().catch(() => undefined);
    await this.model.createIndexes();
  }

  async findById(id: string): Promise<ComplaintRecord | null> {
    return this.model.findById(id).lean<ComplaintRecord>();
  }

  /** Puts a triaged complaint into its queue; null when it was not waiting for that. */
  async enqueueTriaged(
    id: string,
    ticket: TicketState,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    const queued = await this.model
      .findOneAndUpdate(
        { _id: id, status: 'triaged' },
        {
          $set: { status: 'queued', updatedAt: new Date(), ticket },
          $push: {
            events: eventOf('queued', origin, {
              queue: ticket.queue,
              priorityScore: ticket.priorityScore,
              dueAt: ticket.dueAt,
            }),
          },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
    return this.indexed(queued);
  }

  /**
   * Atomically takes the best queued ticket from `queues`. Two agents can never get the same
   * ticket: whichever path finds it, the ticket is taken by one findOneAndUpdate guarded by
   * `status: 'queued'` (docs/adr/0002-atomic-claims.md, docs/adr/0006-claim-index.md).
   */
  async claimNext(request: ClaimRequest): Promise<ComplaintRecord | null> {
    if (request.queues.length === 0) return null;
    if (this.index) {
      const fromIndex = await this.claimFromIndex(this.index, request);
      if (fromIndex) return fromIndex;
    }
    return this.model
      .findOneAndUpdate(
        { status: 'queued', 'ticket.queue': { $in: request.queues } },
        this.claimUpdate(request),
        { sort: queueOrder, new: true, projection: claimedProjection },
      )
      .lean<ComplaintRecord>();
  }

  private claimUpdate(request: ClaimRequest) {
    return {
      $set: {
        status: 'claimed',
        updatedAt: request.now,
        'ticket.agentId': request.agentId,
        'ticket.claimedAt': request.now,
        'ticket.leaseExpiresAt': request.leaseUntil,
      },
      $push: { events: eventOf(request.eventType, request.origin, { agentId: request.agentId }) },
    };
  }

  /**
   * Pops the best entry of the agent's queues and takes that ticket by _id. An entry whose ticket
   * is no longer waiting there (claimed by the fallback, resolved, moved) is dropped and the next
   * one popped. Undefined: the index had nothing usable (or is unreachable), ask MongoDB.
   */
  private async claimFromIndex(
    index: ClaimIndex,
    request: ClaimRequest,
  ): Promise<ComplaintRecord | undefined> {
    for (let attempt = 0; attempt < MAX_STALE_POPS; attempt++) {
      let popped: PoppedTicket | null;
      try {
        popped = await index.pop(request.queues);
      } catch (error) {
        this.logger?.warn({ err: error }, 'claim index unavailable; claiming from MongoDB');
        return undefined;
      }
      if (!popped) return undefined;
      let claimed: ComplaintRecord | null;
      try {
        claimed = await this.model
          .findOneAndUpdate(
            { _id: popped.ticketId, status: 'queued', 'ticket.queue': popped.queue },
            this.claimUpdate(request),
            { new: true, projection: claimedProjection },
          )
          .lean<ComplaintRecord>();
      } catch (error) {
        // MongoDB did not answer: the ticket is still waiting, so its entry goes back.
        await index.restore(popped).catch(() => undefined);
        throw error;
      }
      if (claimed) return claimed;
    }
    return undefined;
  }

  /**
   * Brings the claim index in line with MongoDB (the maintenance sweep, and start-up): adds the
   * waiting tickets it lacks (a crash between the write and the index update, a Redis that lost
   * its data), corrects entries whose order changed, removes entries of tickets no longer
   * waiting. Every correction re-reads the ticket and is conditional on the entry it saw, so it
   * never overwrites a newer entry.
   */
  async reconcileClaimIndex(): Promise<ClaimIndexRepair> {
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

  /** Stores a planned action if the ticket is still as the caller read it; null when it changed. */
  async applyPatch(
    id: string,
    guard: PatchGuard,
    patch: TicketPatch,
    origin: EventOrigin,
    now: Date,
  ): Promise<ComplaintRecord | null> {
    const filter: Record<string, unknown> = {
      _id: id,
      status: guard.status,
      'ticket.sla.generation': guard.generation,
    };
    if (guard.agentId !== undefined) filter['ticket.agentId'] = guard.agentId;
    const $set: Record<string, unknown> = { status: patch.status, updatedAt: now };
    for (const [key, value] of Object.entries(patch.ticket)) $set[`ticket.${key}`] = value;
    for (const [key, value] of Object.entries(patch.sla)) $set[`ticket.sla.${key}`] = value;
    const $push: Record<string, unknown> = { events: eventOf(patch.event.type, origin, patch.event.data) };
    if (patch.addPause) $push['ticket.sla.pauses'] = patch.addPause;
    return this.indexed(
      await this.model.findOneAndUpdate(filter, { $set, $push }, { new: true }).lean<ComplaintRecord>(),
    );
  }

  /** Renews the lease of a ticket its agent holds (or any holder, for an admin). */
  async heartbeat(
    id: string,
    agentId: string | undefined,
    leaseUntil: Date,
  ): Promise<ComplaintRecord | null> {
    const filter: Record<string, unknown> = { _id: id, status: { $in: leasedStatuses } };
    if (agentId !== undefined) filter['ticket.agentId'] = agentId;
    return this.model
      .findOneAndUpdate(filter, { $set: { 'ticket.leaseExpiresAt': leaseUntil } }, { new: true })
      .lean<ComplaintRecord>();
  }

  /** Returns a ticket whose lease ran out to its queue; null when it was renewed or is no longer held. */
  async expireLease(
    id: string,
    agentId: string,
    now: Date,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    return this.requeueHeld(
      { status: { $in: leasedStatuses }, 'ticket.leaseExpiresAt': { $lte: now } },
      { id, agentId, now, origin, eventType: 'lease-expired' },
    );
  }

  /** Hands an unstarted (claimed, not acknowledged) ticket back to its queue. */
  async handBack(
    id: string,
    agentId: string,
    now: Date,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    return this.requeueHeld({ status: 'claimed' }, { id, agentId, now, origin, eventType: 'handed-back' });
  }

  /** Takes a ticket from its holder back to its queue if it still matches `guard`. */
  private async requeueHeld(
    guard: Record<string, unknown>,
    change: { id: string; agentId: string; now: Date; origin: EventOrigin; eventType: string },
  ): Promise<ComplaintRecord | null> {
    const { id, agentId, now, origin, eventType } = change;
    const requeued = await this.model
      .findOneAndUpdate(
        { ...guard, _id: id, 'ticket.agentId': agentId },
        {
          $set: {
            status: 'queued',
            updatedAt: now,
            'ticket.agentId': null,
            'ticket.claimedAt': null,
            'ticket.leaseExpiresAt': null,
          },
          $push: { events: eventOf(eventType, origin, { agentId }) },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
    return this.indexed(requeued);
  }

  /**
   * Records that an SLA timer fired and applies its actions, in one update guarded by the clock
   * generation, the phase, the status read and the step not having fired: a retried or
   * duplicated timer job can never escalate twice.
   */
  async fireSlaStep(id: string, guard: PatchGuard, firing: SlaFiring): Promise<ComplaintRecord | null> {
    const firedPath = `ticket.sla.fired.${firing.phase}.${firing.key}`;
    const filter: Record<string, unknown> = {
      _id: id,
      status: guard.status,
      'ticket.sla.generation': guard.generation,
      'ticket.sla.phase': firing.phase,
      [firedPath]: { $exists: false },
    };
    const $set: Record<string, unknown> = { [firedPath]: firing.firedAt, updatedAt: firing.firedAt };
    if (firing.move) {
      $set.status = 'queued';
      for (const [key, value] of Object.entries(firing.move.ticket)) $set[`ticket.${key}`] = value;
      for (const [key, value] of Object.entries(firing.move.sla)) $set[`ticket.sla.${key}`] = value;
    }
    const update: Record<string, unknown> = { $set, $push: { events: { $each: firing.events } } };
    if (firing.raisePriorityBy !== 0) update.$inc = { 'ticket.priorityScore': firing.raisePriorityBy };
    return this.indexed(
      await this.model.findOneAndUpdate(filter, update, { new: true }).lean<ComplaintRecord>(),
    );
  }

  async appendEvent(
    id: string,
    type: string,
    origin: EventOrigin,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $push: { events: eventOf(type, origin, data) } });
  }

  async markTimersPlanned(id: string, generation: number): Promise<void> {
    // findOneAndUpdate rather than updateOne: the stand-in serves the former from the _id index
    // but scans the collection for an updateOne with more than _id in its filter (measured:
    // 16 ms at 30k documents); MongoDB serves both from the _id index.
    await this.model
      .findOneAndUpdate(
        { _id: id, 'ticket.sla.generation': generation, 'ticket.sla.timersPending': true },
        { $unset: { 'ticket.sla.timersPending': 1 } },
        { projection: { _id: 1 } },
      )
      .lean();
  }

  async withPendingTimers(before: Date, limit: number): Promise<ComplaintRecord[]> {
    return this.model
      .find({
        'ticket.sla.timersPending': true,
        status: { $in: openStatuses },
        updatedAt: { $lt: before },
      })
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  async countHeld(agentId: string): Promise<number> {
    return this.model.countDocuments({ 'ticket.agentId': agentId, status: { $in: heldStatuses } });
  }

  /** Ids of the tickets an agent claimed but has not started. */
  async claimedBy(agentId: string): Promise<string[]> {
    const rows = await this.model
      .find({ 'ticket.agentId': agentId, status: 'claimed' }, { _id: 1 })
      .lean<Array<{ _id: string }>>();
    return rows.map((row) => row._id);
  }

  /** Held tickets whose lease ran out more than a grace period ago (a lost lease timer). */
  async overdueLeases(before: Date, limit: number): Promise<Array<{ _id: string; agentId: string }>> {
    const rows = await this.model
      .find(
        { status: { $in: leasedStatuses }, 'ticket.leaseExpiresAt': { $lt: before } },
        { _id: 1, 'ticket.agentId': 1 },
      )
      .limit(limit)
      .lean<Array<{ _id: string; ticket?: { agentId?: string | null } }>>();
    return rows.flatMap((row) =>
      row.ticket?.agentId ? [{ _id: row._id, agentId: row.ticket.agentId }] : [],
    );
  }

  async queuesWithWaitingTickets(queues: readonly string[]): Promise<string[]> {
    if (queues.length === 0) return [];
    const found = await this.model.distinct('ticket.queue', {
      status: 'queued',
      'ticket.queue': { $in: queues },
    });
    return found.map(String);
  }

  async listByAgent(
    agentId: string,
    statuses: readonly ComplaintStatus[],
    limit: number,
  ): Promise<ComplaintRecord[]> {
    return this.model
      .find({ 'ticket.agentId': agentId, status: { $in: statuses } })
      .sort({ 'ticket.dueAt': 1 })
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  async listByQueue(
    queue: string,
    statuses: readonly ComplaintStatus[],
    limit: number,
  ): Promise<ComplaintRecord[]> {
    return this.model
      .find({ 'ticket.queue': queue, status: { $in: statuses } })
      .sort(queueOrder)
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  /** Per queue: waiting, held, oldest waiting, breached and at-risk (open, clock running) tickets. */
  async queueStats(now: Date): Promise<Map<string, QueueStats>> {
    const running = { $ne: ['$status', 'waiting_customer'] };
    const rows = await this.model.aggregate<{
      _id: { queue: string; status: string };
      count: number;
      oldest: Date;
      breached: number;
      atRisk: number;
    }>([
      { $match: { status: { $in: openStatuses } } },
      {
        $group: {
          _id: { queue: '$ticket.queue', status: '$status' },
          count: { $sum: 1 },
          oldest: { $min: '$receivedAt' },
          breached: { $sum: { $cond: [{ $and: [running, { $lte: ['$ticket.dueAt', now] }] }, 1, 0] } },
          atRisk: {
            $sum: {
              $cond: [
                {
                  $and: [
                    running,
                    { $gt: ['$ticket.warnAt', null] },
                    { $lte: ['$ticket.warnAt', now] },
                    { $gt: ['$ticket.dueAt', now] },
                  ],
                },
                1,
                0,
              ],
            },
          },
        },
      },
    ]);
    const stats = new Map<string, QueueStats>();
    for (const row of rows) {
      const entry = stats.get(row._id.queue) ?? {
        depth: 0,
        active: 0,
        oldestReceivedAt: null,
        breached: 0,
        atRisk: 0,
      };
      if (row._id.status === 'queued') {
        entry.depth += row.count;
        entry.oldestReceivedAt = row.oldest;
      } else {
        entry.active += row.count;
      }
      entry.breached += row.breached;
      entry.atRisk += row.atRisk;
      stats.set(row._id.queue, entry);
    }
    return stats;
  }
}
