import type { Severity } from '@triage/rules';
import type { ComplaintRecord, ComplaintStatus } from '@triage/shared/complaint';
import { ConflictError, NotFoundError, ValidationError } from '@triage/shared/kernel';
import { CAS_ATTEMPTS, type DeskDeps } from './desk-deps';
import { cancelTimers, planTimers } from './plan-timers';
import type { EventOrigin } from './ports';
import { replan } from './sla-clock';
import { openStatuses, type TicketPatch } from './ticket-lifecycle';

/** A supervisor's correction of the triage: a severity, a priority score, or both, and why. */
export interface TicketOverride {
  severity?: Severity;
  priorityScore?: number;
  reason: string;
}

/** Waiting and held tickets may be overridden; a resolved or closed one is a 409. */
export const overridableStatuses: readonly ComplaintStatus[] = openStatuses;

/**
 * What an override does to `complaint`. Pure. The severity goes on the decision, the score on
 * the ticket (the claim index follows it on write). Deadlines stay as triage computed them —
 * a new severity does not pick another SLA policy — but the clock gets a new generation, so the
 * old timers become no-ops and the current queue's ladder is planned again from now.
 */
export function planOverride(complaint: ComplaintRecord, override: TicketOverride): TicketPatch {
  const ticket = complaint.ticket;
  if (!ticket?.sla) throw new ConflictError(`Complaint ${complaint._id} is not a routed ticket.`);
  if (override.severity === undefined && override.priorityScore === undefined) {
    throw new ValidationError('An override names a severity, a priority score or both.', [
      { path: '/severity', message: 'severity or priorityScore is required' },
    ]);
  }
  const from: Record<string, unknown> = {};
  const to: Record<string, unknown> = {};
  const patch: TicketPatch = {
    status: complaint.status,
    ticket: {},
    sla: { generation: replan(ticket.sla).generation, timersPending: true },
    event: { type: 'overridden' },
  };
  if (override.severity !== undefined) {
    from.severity = complaint.decision?.severity ?? null;
    to.severity = override.severity;
    patch.decision = { severity: override.severity };
  }
  if (override.priorityScore !== undefined) {
    from.priorityScore = ticket.priorityScore;
    to.priorityScore = override.priorityScore;
    patch.ticket.priorityScore = override.priorityScore;
  }
  patch.event.data = { from, to, reason: override.reason };
  return patch;
}

/**
 * A supervisor overrides a ticket's severity or priority. Read, plan (pure), then store with a
 * compare-and-set on status, clock generation and holder, as every ticket action does
 * (act-on-ticket.ts); a concurrent change makes us plan again rather than overwrite it.
 */
export async function overrideTicket(
  deps: DeskDeps,
  complaintId: string,
  override: TicketOverride,
  origin: EventOrigin,
): Promise<ComplaintRecord> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = await deps.tickets.findById(complaintId);
    if (!current?.ticket?.sla) throw new NotFoundError(`No ticket with id ${complaintId}.`);
    if (!overridableStatuses.includes(current.status)) {
      throw new ConflictError(
        `Cannot override a ticket that is ${current.status} (allowed: ${overridableStatuses.join(', ')}).`,
        { extra: { ticketStatus: current.status } },
      );
    }
    const patch = planOverride(current, override);
    const updated = await deps.tickets.applyPatch(
      complaintId,
      {
        status: current.status,
        generation: current.ticket.sla.generation,
        agentId: current.ticket.agentId ?? null,
      },
      patch,
      origin,
      deps.now(),
    );
    if (!updated) continue; // it changed under us: read again
    await cancelTimers(deps, current);
    await planTimers(deps, updated);
    return updated;
  }
  throw new ConflictError(`Ticket ${complaintId} kept changing; try again.`);
}
