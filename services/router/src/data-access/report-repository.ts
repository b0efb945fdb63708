import type { ComplaintEvent } from '@triage/shared/complaint';
import { complaintModel } from '@triage/shared/infra';
import type { Connection } from 'mongoose';
import type { ReportComplaint } from '../domain/kpi-report';

const REPORT_FIELDS = {
  _id: 1,
  status: 1,
  receivedAt: 1,
  product: 1,
  'customer.id': 1,
  'decision.severity': 1,
  'decision.category': 1,
  'csat.score': 1,
  'qa.score': 1,
  'decision.queue': 1,
  'decision.tags': 1,
  'decision.firstResponseDueAt': 1,
  'decision.resolutionDueAt': 1,
  'ticket.queue': 1,
  'ticket.agentId': 1,
  'ticket.acknowledgedAt': 1,
  'ticket.resolvedAt': 1,
  'ticket.sla.firstResponseDueAt': 1,
  'ticket.sla.resolutionDueAt': 1,
  'ticket.sla.pausedMs': 1,
  'followUps.status': 1,
  'followUps.agentId': 1,
  events: 1,
} as const;

const ESCALATION_EVENTS = [
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'queue-moved',
  'priority-raised',
  'lease-lapsed',
  'queue-move-held',
  'follow-up.missed',
];

/** Read-only queries behind the reports and the dashboard. */
export class ReportRepository {
  private readonly model;
  private readonly agents;

  constructor(connection: Connection) {
    this.model = complaintModel(connection);
    this.agents = connection.collection<{ _id: string; name?: string }>('agents');
  }

  /** Complaints received in [from, to), at most `limit` (newest first). */
  async complaintsReceived(from: Date, to: Date, limit: number): Promise<ReportComplaint[]> {
    return this.model
      .find({ receivedAt: { $gte: from, $lt: to } }, REPORT_FIELDS)
      .sort({ receivedAt: -1 })
      .limit(limit)
      .lean<ReportComplaint[]>();
  }

  async agentNames(): Promise<Map<string, string>> {
    const rows = await this.agents.find({}, { projection: { _id: 1, name: 1 } }).toArray();
    return new Map(rows.map((row) => [row._id, row.name ?? row._id]));
  }

  /** The latest SLA warnings, breaches and ladder actions across all complaints. */
  async recentEscalations(
    limit: number,
  ): Promise<Array<{ complaintId: string; type: string; at: Date; detail?: string }>> {
    const rows = await this.model
      .find({ 'events.type': { $in: ESCALATION_EVENTS } }, { _id: 1, events: 1 })
      .sort({ updatedAt: -1 })
      .limit(limit * 3)
      .lean<Array<{ _id: string; events: ComplaintEvent[] }>>();
    return rows
      .flatMap((row) =>
        row.events
          .filter((event) => ESCALATION_EVENTS.includes(event.type))
          .map((event) => {
            const data = event.data ?? {};
            const detail = [data.step, data.queue ?? data.to, data.agentId]
              .filter((part) => typeof part === 'string')
              .join(' → ');
            return { complaintId: row._id, type: event.type, at: event.at, ...(detail ? { detail } : {}) };
          }),
      )
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  }

  /** Open tickets with the nearest deadlines first. */
  async nextDeadlines(
    limit: number,
  ): Promise<Array<{ id: string; queue: string; severity?: string; dueAt: Date; status: string }>> {
    const rows = await this.model
      .find(
        { status: { $in: ['queued', 'claimed', 'in_progress'] }, 'ticket.dueAt': { $ne: null } },
        { _id: 1, status: 1, 'ticket.queue': 1, 'ticket.dueAt': 1, 'decision.severity': 1 },
      )
      .sort({ 'ticket.dueAt': 1 })
      .limit(limit)
      .lean<
        Array<{
          _id: string;
          status: string;
          ticket: { queue: string; dueAt: Date };
          decision?: { severity: string };
        }>
      >();
    return rows.map((row) => ({
      id: row._id,
      status: row.status,
      queue: row.ticket.queue,
      dueAt: row.ticket.dueAt,
      ...(row.decision?.severity ? { severity: row.decision.severity } : {}),
    }));
  }
}
