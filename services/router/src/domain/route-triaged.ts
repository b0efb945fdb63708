import type { ComplaintRecord, TicketState } from '@triage/shared/complaint';
import { tellCrm } from './crm-loop';
import { queueById, type DeskDeps } from './desk-deps';
import { planTimers } from './plan-timers';
import { pushDispatch } from './push-dispatch';
import { startSla } from './sla-clock';
import { clockFields, ticketSkills } from './ticket-lifecycle';

export type RouteOutcome = 'queued' | 'already-routed' | 'not-triaged' | 'missing';

/**
 * Puts a triaged complaint in its agent queue with a fresh SLA clock and plans its timers. A
 * replay (the complaint is already queued or further) only re-plans the timers, which is a no-op
 * when they exist: their job ids are deterministic.
 */
export async function routeTriaged(
  deps: DeskDeps,
  complaintId: string,
  requestId: string | undefined,
): Promise<RouteOutcome> {
  const complaint = await deps.tickets.findById(complaintId);
  if (!complaint) return 'missing';
  let current: ComplaintRecord | null = complaint;
  let outcome: 'queued' | 'already-routed' = 'already-routed';
  if (complaint.status === 'triaged' && complaint.decision) {
    const { decision } = complaint;
    const queue = queueById(deps, decision.queue) ?? queueById(deps, deps.defaultQueue());
    const queueId = queue?.id ?? decision.queue;
    const sla = {
      ...startSla(complaint.receivedAt, decision.firstResponseDueAt, decision.resolutionDueAt),
      timersPending: true,
    };
    const ticket: TicketState = {
      queue: queueId,
      skills: ticketSkills(decision.skills, queue?.skills ?? []),
      priorityScore: decision.priority.score,
      ...clockFields(sla, queue),
      agentId: null,
      transferCount: 0,
      reopenCount: 0,
      sla,
    };
    current = await deps.tickets.enqueueTriaged(complaintId, ticket, { actor: 'router', requestId });
    if (current) outcome = 'queued';
    else current = await deps.tickets.findById(complaintId);
  }
  if (!current?.ticket?.sla) return 'not-triaged';
  await planTimers(deps, current);
  // Offered on a replay too: if a crash came between queueing and telling, the CRM still hears it
  // (the delivery id is deterministic, so it never hears it twice).
  await tellCrm(deps, current, { kind: 'triaged' });
  if (current.status === 'queued') await pushDispatch(deps, current.ticket.queue, requestId);
  return outcome;
}
