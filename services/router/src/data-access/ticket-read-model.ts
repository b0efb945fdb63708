import type { ComplaintRecord, ComplaintStatus } from '@triage/shared/complaint';
import type { ComplaintModel } from '@triage/shared/infra';
import { openStatuses } from '../domain/ticket-lifecycle';
import { queueOrder } from './ticket-claims';

export interface QueueStats {
  depth: number;
  active: number;
  oldestReceivedAt: Date | null;
  breached: number;
  atRisk: number;
}

/** What a supervisor searches tickets by: exact customer and CRM fields, and words of the text. */
export interface TicketSearch {
  customerId?: string;
  phone?: string;
  email?: string;
  externalId?: string;
  /** Words (split on white space); each must appear in the subject or the body, any case. */
  q?: string;
}

/**
 * How many of the newest routed complaints a text-only search (`q` without an exact criterion)
 * looks at. The MongoDB stand-in (ADR 0001) has no text index, so words are matched with a
 * case-insensitive regex — which also finds Chinese words, which a MongoDB text index would not
 * split — and this bound keeps that scan's cost fixed as the store grows.
 */
export const TEXT_SEARCH_SCAN_LIMIT = 5_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text condition of a search: every word in the subject or the body. */
function textFilter(q: string): Record<string, unknown>[] {
  return q
    .split(/\s+/u)
    .filter((word) => word.length > 0)
    .map((word) => {
      const pattern = { $regex: escapeRegExp(word), $options: 'i' };
      return { $or: [{ subject: pattern }, { body: pattern }] };
    });
}

/** The read model: the queries behind the HTTP views of tickets and agent queues. */
export class TicketReadModel {
  constructor(private readonly model: ComplaintModel) {}

  async findById(id: string): Promise<ComplaintRecord | null> {
    return this.model.findById(id).lean<ComplaintRecord>();
  }

  /** The tickets an agent holds (or held) in `statuses`, the earliest deadline first. */
  async listByAgent(agentId: string, statuses: readonly ComplaintStatus[], limit: number) {
    return this.list({ 'ticket.agentId': agentId }, statuses, { 'ticket.dueAt': 1 }, limit);
  }

  /** The tickets of an agent queue in `statuses`, in queue order. */
  async listByQueue(queue: string, statuses: readonly ComplaintStatus[], limit: number) {
    return this.list({ 'ticket.queue': queue }, statuses, queueOrder, limit);
  }

  private async list(
    filter: Record<string, unknown>,
    statuses: readonly ComplaintStatus[],
    sort: Record<string, 1 | -1>,
    limit: number,
  ): Promise<ComplaintRecord[]> {
    return this.model
      .find({ ...filter, status: { $in: statuses } })
      .sort(sort)
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  /**
   * Routed tickets matching every criterion given, newest first. Exact criteria narrow the
   * documents first; words alone are looked for among the newest TEXT_SEARCH_SCAN_LIMIT tickets.
   */
  async search(criteria: TicketSearch, limit: number): Promise<ComplaintRecord[]> {
    const exact: Record<string, unknown> = { ticket: { $exists: true } };
    if (criteria.customerId !== undefined) exact['customer.id'] = criteria.customerId;
    if (criteria.phone !== undefined) exact['customer.phone'] = criteria.phone;
    if (criteria.email !== undefined) exact['customer.email'] = criteria.email;
    if (criteria.externalId !== undefined) exact.externalId = criteria.externalId;
    const words = criteria.q === undefined ? [] : textFilter(criteria.q);
    const narrowed = Object.keys(exact).length > 1;
    if (narrowed || words.length === 0) {
      const filter = words.length > 0 ? { ...exact, $and: words } : exact;
      return this.model
        .find(filter, { trace: 0 })
        .sort({ receivedAt: -1 })
        .limit(limit)
        .lean<ComplaintRecord[]>();
    }
    return this.model.aggregate<ComplaintRecord>([
      { $match: exact },
      { $sort: { receivedAt: -1 } },
      { $limit: TEXT_SEARCH_SCAN_LIMIT },
      { $match: { $and: words } },
      { $limit: limit },
      { $project: { trace: 0 } },
    ]);
  }

  /** Waiting tickets counted by queue and by the skills they need beyond their queue's. */
  async waitingBySkills(): Promise<Array<{ queue: string; skills: string[]; count: number }>> {
    const rows = await this.model.aggregate<{
      _id: { queue: string; skills?: string[] | null };
      count: number;
    }>([
      { $match: { status: 'queued' } },
      { $group: { _id: { queue: '$ticket.queue', skills: '$ticket.skills' }, count: { $sum: 1 } } },
    ]);
    return rows.map((row) => ({ queue: row._id.queue, skills: row._id.skills ?? [], count: row.count }));
  }

  /** Per agent queue: waiting, held, oldest waiting, breached and at-risk (open, clock running) tickets. */
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
