import type { Logger } from '@triage/shared/kernel';
import type {
  ComplaintEvent,
  ComplaintQa,
  ComplaintRecord,
  TicketCsat,
  TicketFollowUp,
  TicketNote,
  TicketState,
} from '@triage/shared/complaint';
import { complaintModel } from '@triage/shared/infra';
import type { Connection } from 'mongoose';
import type {
  AssignRequest,
  ClaimIndexRepair,
  ClaimRequest,
  EventOrigin,
  FollowUpExpectation,
  PatchGuard,
  SlaFiring,
  TicketStore,
} from '../domain/ports';
import { heldStatuses, leasedStatuses, openStatuses, type TicketPatch } from '../domain/ticket-lifecycle';
import type { ClaimIndex } from './claim-index';
import { ClaimIndexSync } from './claim-index-sync';
import { TicketClaims } from './ticket-claims';
import { ticketEvent } from './ticket-event';

/**
 * The complaint documents as tickets. Every state change is one update guarded by the state it
 * expects, with its history event pushed in the same update (ADR 0002).
 */
export class TicketRepository implements TicketStore {
  readonly model;
  private readonly claims: TicketClaims;
  private readonly indexSync: ClaimIndexSync;

  /**
   * With a claim index, claims pop the best waiting ticket from Redis and take it with a guarded
   * update by _id (ADR 0006); without one, a claim is one sorted findOneAndUpdate (ADR 0002).
   */
  constructor(connection: Connection, options: { index?: ClaimIndex; logger?: Logger } = {}) {
    this.model = complaintModel(connection);
    this.claims = new TicketClaims(this.model, options.index, options.logger);
    this.indexSync = new ClaimIndexSync(this.model, options.index, options.logger);
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
            events: ticketEvent('queued', origin, {
              queue: ticket.queue,
              priorityScore: ticket.priorityScore,
              dueAt: ticket.dueAt,
            }),
          },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
    return this.indexSync.afterWrite(queued);
  }

  /** Atomically takes the best queued ticket of the request's queues (see TicketClaims). */
  async claimNext(request: ClaimRequest): Promise<ComplaintRecord | null> {
    return this.claims.claimNext(request);
  }

  async claimById(id: string, request: AssignRequest): Promise<ComplaintRecord | null> {
    return this.claims.claimById(id, request);
  }

  /** Brings the claim index in line with the stored tickets (see ClaimIndexSync). */
  async reconcileClaimIndex(): Promise<ClaimIndexRepair> {
    return this.indexSync.reconcile();
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
    for (const [key, value] of Object.entries(patch.decision ?? {})) $set[`decision.${key}`] = value;
    const $push: Record<string, unknown> = {
      events: ticketEvent(patch.event.type, origin, patch.event.data),
    };
    if (patch.addPause) $push['ticket.sla.pauses'] = patch.addPause;
    return this.indexSync.afterWrite(
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
      { status: 'claimed', 'ticket.leaseExpiresAt': { $lte: now } },
      { id, agentId, now, origin, eventType: 'lease-expired' },
    );
  }

  async markLeaseLapsed(
    id: string,
    agentId: string,
    now: Date,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    const lapsed = await this.model
      .findOneAndUpdate(
        { _id: id, status: 'in_progress', 'ticket.agentId': agentId, 'ticket.leaseExpiresAt': { $lte: now } },
        {
          $set: { 'ticket.leaseExpiresAt': null, updatedAt: now },
          $push: { events: ticketEvent('lease-lapsed', origin, { agentId }) },
        },
        { new: true, projection: { trace: 0 } },
      )
      .lean<ComplaintRecord>();
    return lapsed;
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
          $push: { events: ticketEvent(eventType, origin, { agentId }) },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
    return this.indexSync.afterWrite(requeued);
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
    return this.indexSync.afterWrite(
      await this.model.findOneAndUpdate(filter, update, { new: true }).lean<ComplaintRecord>(),
    );
  }

  async appendEvent(
    id: string,
    type: string,
    origin: EventOrigin,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $push: { events: ticketEvent(type, origin, data) } });
  }

  async appendNote(id: string, note: TicketNote, origin: EventOrigin): Promise<ComplaintRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, ticket: { $exists: true } },
        {
          $push: {
            notes: note,
            events: ticketEvent('note-added', origin, { noteId: note.id, visibility: note.visibility }),
          },
          $set: { updatedAt: note.at },
        },
        { new: true, projection: { trace: 0 } },
      )
      .lean<ComplaintRecord>();
  }

  async addFollowUp(
    id: string,
    followUp: TicketFollowUp,
    holder: string | undefined,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    return this.model
      .findOneAndUpdate(
        {
          _id: id,
          ticket: { $exists: true },
          status: { $ne: 'closed' },
          ...(holder !== undefined ? { 'ticket.agentId': holder } : {}),
        },
        {
          $push: {
            followUps: followUp,
            events: ticketEvent('follow-up.promised', origin, {
              followUpId: followUp.id,
              dueAt: followUp.dueAt,
            }),
          },
          $set: { updatedAt: followUp.createdAt },
        },
        { new: true, projection: { trace: 0 } },
      )
      .lean<ComplaintRecord>();
  }

  async updateFollowUp(
    id: string,
    followUp: { id: string; index: number },
    expected: FollowUpExpectation,
    set: Partial<TicketFollowUp>,
    event: ComplaintEvent,
  ): Promise<ComplaintRecord | null> {
    // By position rather than `followUps.$`: the stand-in has no positional updates with
    // $elemMatch, and a promise never moves (the list is append-only).
    const at = `followUps.${followUp.index}`;
    const filter: Record<string, unknown> = {
      _id: id,
      [`${at}.id`]: followUp.id,
      [`${at}.status`]: expected.status,
    };
    if (expected.reminded !== undefined) filter[`${at}.remindedAt`] = { $exists: expected.reminded };
    if (expected.done !== undefined) filter[`${at}.doneAt`] = { $exists: expected.done };
    return this.model
      .findOneAndUpdate(
        filter,
        {
          $set: {
            ...Object.fromEntries(Object.entries(set).map(([key, value]) => [`${at}.${key}`, value])),
            updatedAt: event.at,
          },
          $push: { events: event },
        },
        { new: true, projection: { trace: 0 } },
      )
      .lean<ComplaintRecord>();
  }

  async recordCsat(id: string, csat: TicketCsat, event: ComplaintEvent): Promise<ComplaintRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, csatRounds: { $ne: csat.round } },
        { $set: { csat, updatedAt: csat.at }, $push: { csatRounds: csat.round, events: event } },
        { new: true, projection: { trace: 0 } },
      )
      .lean<ComplaintRecord>();
  }

  async fatalQaNotSampled(limit: number): Promise<ComplaintRecord[]> {
    return this.model
      .find({ status: 'closed', 'qa.fatal': true, 'qa.sampled': { $ne: true } }, { trace: 0, 'qa.trace': 0 })
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  async markQaSampled(id: string): Promise<void> {
    await this.model
      .findOneAndUpdate({ _id: id }, { $set: { 'qa.sampled': true } }, { projection: { _id: 1 } })
      .lean();
  }

  async saveReviewedQa(
    id: string,
    before: ComplaintQa,
    after: ComplaintQa,
    reviewer: string,
    reviewId: string,
  ): Promise<boolean> {
    const saved = await this.model
      .findOneAndUpdate(
        {
          _id: id,
          status: 'closed',
          'qa.closeNumber': before.closeNumber,
          'qa.reviewCount': before.reviewCount ?? 0,
        },
        {
          // `after` spreads `before`: the sweep's `sampled` marker stays.
          $set: { qa: after, updatedAt: after.reviewedAt },
          $push: {
            events: ticketEvent(
              'qa.reviewed',
              { actor: reviewer },
              {
                reviewId,
                criteria: (after.manual ?? []).map((c) => `${c.criterion}:${c.result}`),
                score: after.score,
                fatal: after.fatal,
                complete: after.complete,
              },
            ),
          },
        },
        { projection: { _id: 1 } },
      )
      .lean();
    return saved !== null;
  }

  async withOverdueFollowUps(before: Date, limit: number): Promise<ComplaintRecord[]> {
    return this.model
      .find({ followUps: { $elemMatch: { status: 'pending', dueAt: { $lt: before } } } }, { trace: 0 })
      .limit(limit)
      .lean<ComplaintRecord[]>();
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

  async heldCounts(): Promise<Map<string, number>> {
    const rows = await this.model.aggregate<{ _id: string | null; held: number }>([
      { $match: { status: { $in: heldStatuses } } },
      { $group: { _id: '$ticket.agentId', held: { $sum: 1 } } },
    ]);
    return new Map(rows.flatMap((row) => (row._id ? [[row._id, row.held] as const] : [])));
  }

  async ticketLeftAgentSince(agentId: string, since: Date): Promise<boolean> {
    const left = await this.model
      .findOne(
        {
          updatedAt: { $gte: since },
          $or: [
            // Still theirs on the ticket but no longer held (resolved, closed) …
            { 'ticket.agentId': agentId, status: { $nin: heldStatuses } },
            // … or no longer theirs, and their claim, assignment or hand-back in its history.
            { 'ticket.agentId': { $ne: agentId }, 'events.data.agentId': agentId },
          ],
        },
        { _id: 1 },
      )
      .lean<{ _id: string }>();
    return left !== null;
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

  /** Queues with an entry in the claim index (see TicketClaims); exact without an index. */
  async queuesWithIndexedTickets(queues: readonly string[]): Promise<string[]> {
    return this.claims.queuesWithIndexedTickets(queues, (exact) => this.queuesWithWaitingTickets(exact));
  }

  async queuesWithWaitingTickets(queues: readonly string[]): Promise<string[]> {
    if (queues.length === 0) return [];
    const found = await this.model.distinct('ticket.queue', {
      status: 'queued',
      'ticket.queue': { $in: queues },
    });
    return found.map(String);
  }
}
