import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import type { DeskDeps } from './desk-deps';
import { leasedStatuses } from './ticket-lifecycle';

/** Renews the lease of a held ticket (the agent is still on it); an admin may renew any. */
export async function renewLease(
  deps: DeskDeps,
  complaintId: string,
  actor: { agentId?: string },
): Promise<ComplaintRecord> {
  const leaseUntil = new Date(deps.now().getTime() + deps.leaseMs);
  const renewed = await deps.tickets.heartbeat(complaintId, actor.agentId, leaseUntil);
  if (renewed) return renewed;
  const current = await deps.tickets.findById(complaintId);
  if (!current?.ticket) throw new NotFoundError(`No ticket with id ${complaintId}.`);
  if (!leasedStatuses.includes(current.status)) {
    throw new ConflictError(`A ${current.status} ticket has no lease to renew.`, {
      extra: { ticketStatus: current.status },
    });
  }
  throw new ConflictError(`Ticket ${complaintId} is held by another agent.`, {
    extra: { ticketStatus: current.status },
  });
}
