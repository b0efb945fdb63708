import type { TriageDecision } from '@triage/rules';
import type {
  ComplaintRecord,
  ComplaintStatus,
  TicketFollowUp,
  TicketResolution,
  TicketSla,
} from '@triage/shared/complaint';

/** What an agent sees of a ticket. */
export interface TicketView {
  id: string;
  complaintId: string;
  status: ComplaintStatus;
  queue: string;
  /** Skills the ticket needs beyond its queue's (an agent needs both). */
  skills: string[];
  category?: string;
  severity?: string;
  /** The triage decision's score and its parts. */
  priority?: TriageDecision['priority'];
  /** The live score the queue is ordered by (the decision's, plus escalation raises). */
  priorityScore: number | null;
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  sla: {
    phase: string;
    /** The current phase's deadline, paused time included. */
    dueAt: Date | null;
    warnAt: Date | null;
    breached: boolean;
    paused: boolean;
    pausedMs: number;
    fired: Record<string, Record<string, Date>>;
  } | null;
  tags: string[];
  flags: string[];
  agentId: string | null;
  claimedAt: Date | null;
  leaseExpiresAt: Date | null;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** How the case was closed (code, summary, final answer), when the resolve named a code. */
  resolution: TicketResolution | null;
  transferCount: number;
  reopenCount: number;
  /** Promises still to keep, the soonest first (the full list is on GET /v1/tickets/:id). */
  pendingFollowUps: Array<Pick<TicketFollowUp, 'id' | 'dueAt' | 'note' | 'remindedAt'>>;
  customer: ComplaintRecord['customer'];
  channel: string;
  subject?: string;
  body: string;
  receivedAt: Date;
}

/** The resolution deadline as it stands: moved by every pause, and by the one running now. */
function resolutionDeadline(sla: TicketSla, now: Date): Date {
  const running = sla.pausedAt ? Math.max(0, now.getTime() - new Date(sla.pausedAt).getTime()) : 0;
  return new Date(new Date(sla.resolutionDueAt).getTime() + sla.pausedMs + running);
}

export function toTicketView(complaint: ComplaintRecord, now = new Date()): TicketView {
  const decision = complaint.decision;
  const ticket = complaint.ticket;
  const sla = ticket?.sla;
  const running = complaint.status !== 'waiting_customer' && !sla?.pausedAt;
  return {
    id: complaint._id,
    complaintId: complaint._id,
    status: complaint.status,
    queue: ticket?.queue ?? decision?.queue ?? '',
    skills: ticket?.skills ?? [],
    ...(decision
      ? {
          category: decision.category,
          severity: decision.severity,
          priority: decision.priority,
          firstResponseDueAt: decision.firstResponseDueAt,
          resolutionDueAt: sla ? resolutionDeadline(sla, now) : decision.resolutionDueAt,
        }
      : {}),
    priorityScore: ticket?.priorityScore ?? null,
    sla: sla
      ? {
          phase: sla.phase,
          dueAt: ticket?.dueAt ?? null,
          warnAt: ticket?.warnAt ?? null,
          breached:
            running &&
            ['queued', 'claimed', 'in_progress'].includes(complaint.status) &&
            !!ticket?.dueAt &&
            ticket.dueAt.getTime() <= now.getTime(),
          paused: !!sla.pausedAt,
          pausedMs: sla.pausedMs,
          fired: sla.fired ?? {},
        }
      : null,
    tags: decision?.tags ?? [],
    flags: decision?.flags ?? [],
    agentId: ticket?.agentId ?? null,
    claimedAt: ticket?.claimedAt ?? null,
    leaseExpiresAt: ticket?.leaseExpiresAt ?? null,
    acknowledgedAt: ticket?.acknowledgedAt ?? null,
    resolvedAt: ticket?.resolvedAt ?? null,
    closedAt: ticket?.closedAt ?? null,
    resolution: ticket?.resolution ?? null,
    transferCount: ticket?.transferCount ?? 0,
    reopenCount: ticket?.reopenCount ?? 0,
    pendingFollowUps: (complaint.followUps ?? [])
      .filter((followUp) => followUp.status === 'pending')
      .sort((a, b) => new Date(a.dueAt).getTime() - new Date(b.dueAt).getTime())
      .map(({ id, dueAt, note, remindedAt }) => ({
        id,
        dueAt,
        note,
        ...(remindedAt !== undefined ? { remindedAt } : {}),
      })),
    customer: complaint.customer,
    channel: complaint.channel,
    ...(complaint.subject !== undefined ? { subject: complaint.subject } : {}),
    body: complaint.body,
    receivedAt: complaint.receivedAt,
  };
}
