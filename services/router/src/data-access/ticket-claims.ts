import type { Logger } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import type { ComplaintModel } from '@triage/shared/infra';
import type { AssignRequest, ClaimRequest } from '../domain/ports';
import type { ClaimIndex, PoppedTicket } from './claim-index';
import { ticketEvent } from './ticket-event';

/** The queue order: priority score, then earliest deadline, then arrival. */
export const queueOrder = { 'ticket.priorityScore': -1, 'ticket.dueAt': 1, receivedAt: 1 } as const;

/** A claim answers with the ticket, not the rule trace (up to one entry per rule). */
const claimedProjection = { trace: 0 } as const;

/** Stale index entries a claim skips before it asks MongoDB directly. */
const MAX_STALE_POPS = 32;

/**
 * The claim algorithm, over the tickets of the request's queues whose own skills the agent has.
 * With a claim index, a claim pops the best waiting ticket from Redis and
 * takes it with a guarded update by _id (ADR 0006); without one, or when the index has nothing
 * usable, a claim is one sorted findOneAndUpdate (ADR 0002). Either way the ticket is taken by
 * one update guarded by `status: 'queued'`, so two agents can never get the same ticket.
 */
export class TicketClaims {
  constructor(
    private readonly model: ComplaintModel,
    private readonly index: ClaimIndex | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  async claimNext(request: ClaimRequest): Promise<ComplaintRecord | null> {
    if (request.queues.length === 0) return null;
    if (this.index) {
      const fromIndex = await this.claimFromIndex(this.index, request);
      if (fromIndex) return fromIndex;
    }
    return this.model
      .findOneAndUpdate(
        {
          status: 'queued',
          'ticket.queue': { $in: request.queues },
          // No skill of the ticket's own that the agent lacks.
          'ticket.skills': { $not: { $elemMatch: { $nin: request.agentSkills } } },
        },
        this.claimUpdate(request),
        { sort: queueOrder, new: true, projection: claimedProjection },
      )
      .lean<ComplaintRecord>();
  }

  /**
   * The queues among `queues` the index has waiting tickets for: one Redis round trip where
   * `exact` is a distinct over the complaints (a collection scan on the stand-in). Without an
   * index, or with Redis unreachable, `exact` answers.
   */
  async queuesWithIndexedTickets(
    queues: readonly string[],
    exact: (queues: readonly string[]) => Promise<string[]>,
  ): Promise<string[]> {
    if (queues.length === 0) return [];
    if (!this.index) return exact(queues);
    try {
      return await this.index.queuesWithEntries(queues);
    } catch (error) {
      this.logger?.warn({ err: error }, 'claim index unavailable; asking MongoDB for waiting queues');
      return exact(queues);
    }
  }

  /** Takes one named waiting ticket for the agent (a supervisor's assignment); null if it is not waiting. */
  async claimById(id: string, request: AssignRequest): Promise<ComplaintRecord | null> {
    return this.model
      .findOneAndUpdate({ _id: id, status: 'queued' }, this.claimUpdate(request), {
        new: true,
        projection: claimedProjection,
      })
      .lean<ComplaintRecord>();
  }

  private claimUpdate(request: AssignRequest) {
    return {
      $set: {
        status: 'claimed',
        updatedAt: request.now,
        'ticket.agentId': request.agentId,
        'ticket.claimedAt': request.now,
        'ticket.leaseExpiresAt': request.leaseUntil,
      },
      $push: { events: ticketEvent(request.eventType, request.origin, { agentId: request.agentId }) },
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
        popped = await index.pop(request.queues, request.agentSkills);
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
}
