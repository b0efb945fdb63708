import type { ComplaintRecord } from '@triage/shared/complaint';
import { ladderOf, type DeskDeps } from './desk-deps';
import { pendingTimers } from './sla-clock';
import { openStatuses } from './ticket-lifecycle';

type TimerDeps = Pick<DeskDeps, 'tickets' | 'timers' | 'queues'>;

/** Schedules the current generation's pending SLA timers (idempotent: deterministic job ids). */
export async function planTimers(deps: TimerDeps, complaint: ComplaintRecord): Promise<void> {
  const sla = complaint.ticket?.sla;
  if (!sla || !openStatuses.includes(complaint.status) || !complaint.ticket) return;
  const timers = pendingTimers(sla, ladderOf(deps, complaint.ticket.queue));
  await deps.timers.scheduleSla(complaint._id, sla.generation, timers);
  if (sla.timersPending) await deps.tickets.markTimersPlanned(complaint._id, sla.generation);
}

/** Removes the pending timers of the generation `complaint` was read at (they would be no-ops anyway). */
export async function cancelTimers(deps: TimerDeps, complaint: ComplaintRecord): Promise<void> {
  const sla = complaint.ticket?.sla;
  if (!sla || !complaint.ticket) return;
  const timers = pendingTimers(sla, ladderOf(deps, complaint.ticket.queue));
  await deps.timers.cancelSla(complaint._id, sla.generation, timers);
}

/** Schedules a lease timer; a failure is logged, not thrown (the claim or action stands). */
export async function watchLeaseSafely(
  deps: Pick<DeskDeps, 'timers' | 'logger'>,
  complaintId: string,
  agentId: string,
  until: Date,
): Promise<void> {
  try {
    await deps.timers.watchLease(complaintId, agentId, until);
  } catch (error) {
    // The claim stands; the maintenance sweep returns the ticket if its lease then runs out.
    deps.logger.warn({ err: error, complaintId, agentId }, 'could not schedule the lease timer');
  }
}
