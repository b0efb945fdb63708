import type { DeskDeps } from './desk-deps';
import { pushDispatch } from './push-dispatch';
import { leasedStatuses } from './ticket-lifecycle';

export type LeaseOutcome = 'expired' | 'lapsed' | 'renewed' | 'stale';

const LEASE_ACTOR = 'router:lease';

/**
 * A lease timer fired. An unstarted (claimed) ticket whose lease really ran out goes back to its
 * agent queue. An acknowledged one stays with its agent — they promised the customer an answer,
 * and a closed laptop is no reason to hand the case to a stranger — and the supervisor is told
 * (a `lease-lapsed` event in the escalation feed).
 */
export async function expireLease(
  deps: DeskDeps,
  complaintId: string,
  agentId: string,
): Promise<LeaseOutcome> {
  const now = deps.now();
  const expired = await deps.tickets.expireLease(complaintId, agentId, now, { actor: LEASE_ACTOR });
  if (expired) {
    await deps.agents.release(agentId);
    if (expired.ticket) await pushDispatch(deps, expired.ticket.queue);
    return 'expired';
  }
  const lapsed = await deps.tickets.markLeaseLapsed(complaintId, agentId, now, { actor: LEASE_ACTOR });
  if (lapsed) {
    deps.logger.warn(
      { complaintId, agentId },
      'lease of an acknowledged ticket lapsed; it stays with its agent',
    );
    return 'lapsed';
  }
  const current = await deps.tickets.findById(complaintId);
  const lease = current?.ticket?.leaseExpiresAt;
  if (current && leasedStatuses.includes(current.status) && current.ticket?.agentId === agentId && lease) {
    // Renewed by heartbeats since this timer was set: watch the new expiry.
    await deps.timers.watchLease(complaintId, agentId, lease);
    return 'renewed';
  }
  return 'stale';
}
