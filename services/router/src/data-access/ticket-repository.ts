import {
  complaintEvent,
  complaintModel,
  type ComplaintEvent,
  type ComplaintRecord,
  type ComplaintStatus,
  type TicketState,
} from '@triage/shared';
import type { Connection } from 'mongoose';
import type { EventOrigin } from '../domain/ticket-desk';
import { heldStatuses, leasedStatuses, openStatuses, type TicketPatch } from '../domain/ticket-lifecycle';

function eventOf(type: string, origin: EventOrigin, data?: Record<string, unknown>): ComplaintEvent {
  return complaintEvent(type, {
    actor: origin.actor,
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    ...(data ? { data } : {}),
  });
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

export interface ClaimRequest {
  agentId: string;
  queues: readonly string[];
  now: Date;
  leaseUntil: Date;
  /** `claimed` when the agent pulled it, `assigned` when a push queue gave it. */
  eventType: 'claimed' | 'assigned';
  origin: EventOrigin;
}

/** The guard of a compare-and-set: the state the caller read and planned from. */
export interface PatchGuard {
  status: ComplaintStatus;
  generation: number;
  agentId?: string | null;
}

export interface SlaFiring {
  phase: string;
  key: string;
  firedAt: Date;
  events: ComplaintEvent[];
  raisePriorityBy: number;
  /** A move to another queue, with the ticket fields and clock fields it sets. */
  move?: { ticket: Partial<TicketState>; sla: Record<string, unknown> };
}

/**
 * The complaint documents as tickets. Every state change is one update guarded by the state it
 * expects, with its history event pushed in the same update (ADR 0002).
 */
export class TicketRepository {
  readonly model;

  constructor(connection: Connection) {
    this.model = complaintModel(connection);
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
    return this.model
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
  }

  /**
   * Atomically takes the best queued ticket from `queues`: one findOneAndUpdate, so two
   * agents can never get the same ticket (see docs/adr/0002-atomic-claims.md).
   */
  async claimNext(request: ClaimRequest): Promise<ComplaintRecord | null> {
    if (request.queues.length === 0) return null;
    return this.model
      .findOneAndUpdate(
        { status: 'queued', 'ticket.queue': { $in: request.queues } },
        {
          $set: {
            status: 'claimed',
            updatedAt: request.now,
            'ticket.agentId': request.agentId,
            'ticket.claimedAt': request.now,
            'ticket.leaseExpiresAt': request.leaseUntil,
          },
          $push: { events: eventOf(request.eventType, request.origin, { agentId: request.agentId }) },
        },
        { sort: queueOrder, new: true },
      )
      .lean<ComplaintRecord>();
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
    return this.model.findOneAndUpdate(filter, { $set, $push }, { new: true }).lean<ComplaintRecord>();
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
    return this.model
      .findOneAndUpdate(
        {
          _id: id,
          status: { $in: leasedStatuses },
          'ticket.agentId': agentId,
          'ticket.leaseExpiresAt': { $lte: now },
        },
        {
          $set: {
            status: 'queued',
            updatedAt: now,
            'ticket.agentId': null,
            'ticket.claimedAt': null,
            'ticket.leaseExpiresAt': null,
          },
          $push: { events: eventOf('lease-expired', origin, { agentId }) },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
  }

  /** Hands an unstarted (claimed, not acknowledged) ticket back to its queue. */
  async handBack(
    id: string,
    agentId: string,
    now: Date,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, status: 'claimed', 'ticket.agentId': agentId },
        {
          $set: {
            status: 'queued',
            updatedAt: now,
            'ticket.agentId': null,
            'ticket.claimedAt': null,
            'ticket.leaseExpiresAt': null,
          },
          $push: { events: eventOf('handed-back', origin, { agentId }) },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
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
    return this.model.findOneAndUpdate(filter, update, { new: true }).lean<ComplaintRecord>();
  }

  async appendEvent(
    id: string,
    type: string,
    origin: EventOrigin,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $push: { events: eventOf(type, origin, data) } });
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
