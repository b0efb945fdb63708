import {
  ConflictError,
  complaintEvent,
  complaintModel,
  NotFoundError,
  type ComplaintRecord,
  type ComplaintStatus,
  type TriageDecision,
} from '@triage/shared';
import type { Connection } from 'mongoose';
import { ticketTransitions, type TicketAction } from '../domain/ticket-lifecycle';

/** What an agent sees of a ticket. */
export interface TicketView {
  id: string;
  complaintId: string;
  status: ComplaintStatus;
  queue: string;
  category?: string;
  severity?: string;
  priority?: TriageDecision['priority'];
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  tags: string[];
  flags: string[];
  agentId: string | null;
  leaseExpiresAt: Date | null;
  customer: ComplaintRecord['customer'];
  channel: string;
  subject?: string;
  body: string;
  receivedAt: Date;
}

export function toTicketView(complaint: ComplaintRecord): TicketView {
  const decision = complaint.decision;
  return {
    id: complaint._id,
    complaintId: complaint._id,
    status: complaint.status,
    queue: complaint.ticket?.queue ?? decision?.queue ?? '',
    ...(decision
      ? {
          category: decision.category,
          severity: decision.severity,
          priority: decision.priority,
          firstResponseDueAt: decision.firstResponseDueAt,
          resolutionDueAt: decision.resolutionDueAt,
        }
      : {}),
    tags: decision?.tags ?? [],
    flags: decision?.flags ?? [],
    agentId: complaint.ticket?.agentId ?? null,
    leaseExpiresAt: complaint.ticket?.leaseExpiresAt ?? null,
    customer: complaint.customer,
    channel: complaint.channel,
    ...(complaint.subject !== undefined ? { subject: complaint.subject } : {}),
    body: complaint.body,
    receivedAt: complaint.receivedAt,
  };
}

const ACTIVE: ComplaintStatus[] = ['claimed', 'in_progress', 'waiting_customer'];

export class TicketRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = complaintModel(connection);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createCollection().catch(() => undefined);
    await this.model.createIndexes();
  }

  /** Puts a triaged complaint into its queue; false when it was not waiting for that (already queued). */
  async enqueueTriaged(
    id: string,
    requestId: string | undefined,
  ): Promise<'queued' | 'not-triaged' | 'missing'> {
    const complaint = await this.model
      .findById(id, { status: 1, decision: 1 })
      .lean<Pick<ComplaintRecord, 'status' | 'decision'>>();
    if (!complaint) return 'missing';
    if (complaint.status !== 'triaged' || !complaint.decision) return 'not-triaged';
    const { decision } = complaint;
    await this.model.updateOne(
      { _id: id, status: 'triaged' },
      {
        $set: {
          status: 'queued',
          updatedAt: new Date(),
          ticket: {
            queue: decision.queue,
            priorityScore: decision.priority.score,
            dueAt: decision.firstResponseDueAt,
            agentId: null,
          },
        },
        $push: {
          events: complaintEvent('queued', {
            actor: 'router',
            ...(requestId ? { requestId } : {}),
            data: { queue: decision.queue, priorityScore: decision.priority.score },
          }),
        },
      },
    );
    return 'queued';
  }

  async countActive(agentId: string): Promise<number> {
    return this.model.countDocuments({ 'ticket.agentId': agentId, status: { $in: ACTIVE } });
  }

  /**
   * Atomically takes the best queued ticket from `queues`: one findOneAndUpdate, so two
   * agents can never get the same ticket (see docs/adr/0002-atomic-claims.md).
   */
  async claimNext(
    agentId: string,
    queues: string[],
    leaseMs: number,
    requestId: string | undefined,
  ): Promise<TicketView | null> {
    if (queues.length === 0) return null;
    const now = new Date();
    const claimed = await this.model
      .findOneAndUpdate(
        { status: 'queued', 'ticket.queue': { $in: queues } },
        {
          $set: {
            status: 'claimed',
            updatedAt: now,
            'ticket.agentId': agentId,
            'ticket.claimedAt': now,
            'ticket.leaseExpiresAt': new Date(now.getTime() + leaseMs),
          },
          $push: {
            events: complaintEvent('claimed', {
              actor: `agent:${agentId}`,
              ...(requestId ? { requestId } : {}),
            }),
          },
        },
        { sort: { 'ticket.priorityScore': -1, 'ticket.dueAt': 1, receivedAt: 1 }, new: true },
      )
      .lean<ComplaintRecord>();
    return claimed ? toTicketView(claimed) : null;
  }

  /** Applies an agent action if the ticket is in a status it may leave from; 404 / 409 otherwise. */
  async transition(
    id: string,
    action: TicketAction,
    actor: { agentId?: string; label: string },
    requestId: string | undefined,
  ): Promise<TicketView> {
    const rule = ticketTransitions[action];
    const now = new Date();
    const filter: Record<string, unknown> = { _id: id, status: { $in: rule.from } };
    if (actor.agentId) filter['ticket.agentId'] = actor.agentId;
    const set: Record<string, unknown> = { status: rule.to, updatedAt: now };
    if (action === 'ack') set['ticket.acknowledgedAt'] = now;
    if (action === 'resolve') set['ticket.resolvedAt'] = now;
    if (action === 'release') {
      set['ticket.agentId'] = null;
      set['ticket.leaseExpiresAt'] = null;
      set['ticket.claimedAt'] = null;
    }
    const updated = await this.model
      .findOneAndUpdate(
        filter,
        {
          $set: set,
          $push: {
            events: complaintEvent(rule.event, { actor: actor.label, ...(requestId ? { requestId } : {}) }),
          },
        },
        { new: true },
      )
      .lean<ComplaintRecord>();
    if (updated) return toTicketView(updated);

    const current = await this.model
      .findById(id, { status: 1, ticket: 1 })
      .lean<Pick<ComplaintRecord, 'status' | 'ticket'>>();
    if (!current) throw new NotFoundError(`No ticket with id ${id}.`);
    if (actor.agentId && current.ticket?.agentId !== actor.agentId && rule.from.includes(current.status)) {
      throw new ConflictError(`Ticket ${id} is held by another agent.`, {
        extra: { status: current.status },
      });
    }
    throw new ConflictError(
      `Cannot ${action} a ticket that is ${current.status} (allowed from: ${rule.from.join(', ')}).`,
      {
        extra: { status: current.status, action },
      },
    );
  }

  /** Depth, oldest waiting and claimed count per queue. */
  async queueStats(): Promise<Map<string, { depth: number; oldestReceivedAt: Date | null; active: number }>> {
    const rows = await this.model.aggregate<{
      _id: { queue: string; status: string };
      count: number;
      oldest: Date;
    }>([
      { $match: { status: { $in: ['queued', ...ACTIVE] } } },
      {
        $group: {
          _id: { queue: '$ticket.queue', status: '$status' },
          count: { $sum: 1 },
          oldest: { $min: '$receivedAt' },
        },
      },
    ]);
    const stats = new Map<string, { depth: number; oldestReceivedAt: Date | null; active: number }>();
    for (const row of rows) {
      const entry = stats.get(row._id.queue) ?? { depth: 0, oldestReceivedAt: null, active: 0 };
      if (row._id.status === 'queued') {
        entry.depth += row.count;
        entry.oldestReceivedAt = row.oldest;
      } else {
        entry.active += row.count;
      }
      stats.set(row._id.queue, entry);
    }
    return stats;
  }
}
