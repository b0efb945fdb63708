import type { DeskDeps } from './desk-deps';
import { pushDispatch } from './push-dispatch';
import { leasedStatuses } from './ticket-lifecycle';

export type LeaseOutcome = 'expired' | 'renewed' | 'stale';

const LEASE_ACTOR = 'router:lease';

/** A lease timer fired: return the ticket to its agent queue if the lease really ran out. */
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
  const current = await deps.tickets.findById(complaintId);
  const lease = current?.ticket?.leaseExpiresAt;
  if (current && leasedStatuses.includes(current.status) && current.ticket?.agentId === agentId && lease) {
    // Renewed by heartbeats since this timer was set: watch the new expiry.
    await deps.timers.watchLease(complaintId, agentId, lease);
    return 'renewed';
  }
  return 'stale';
}
