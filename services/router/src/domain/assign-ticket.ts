import type { ComplaintRecord } from '@triage/shared/complaint';
import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import { tellCrm } from './crm-loop';
import { queueById, type DeskDeps } from './desk-deps';
import { watchLeaseSafely } from './plan-timers';
import type { EventOrigin } from './ports';
import { canServe } from './ticket-lifecycle';

/**
 * A supervisor gives a waiting ticket to a named agent. The agent must have every skill the
 * ticket needs and a free slot (reserved atomically, as a claim does); the ticket is then taken
 * with one update guarded by `status: 'queued'`, so it cannot also go to someone who claims it now.
 */
export async function assignTicket(
  deps: DeskDeps,
  complaintId: string,
  agentId: string,
  origin: EventOrigin,
): Promise<ComplaintRecord> {
  const current = await deps.tickets.findById(complaintId);
  if (!current?.ticket) throw new NotFoundError(`No ticket with id ${complaintId}.`);
  if (current.status !== 'queued') {
    throw new ConflictError(`Only a waiting ticket can be assigned; this one is ${current.status}.`, {
      extra: { ticketStatus: current.status },
    });
  }
  const agent = await deps.agents.findById(agentId);
  if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
  const queue = queueById(deps, current.ticket.queue);
  if (!canServe(agent.skills, queue, current.ticket)) {
    const needed = [...(queue?.skills ?? []), ...(current.ticket.skills ?? [])];
    throw new ConflictError(`Agent ${agentId} lacks a skill this ticket needs (${needed.join(', ')}).`, {
      extra: { missingSkills: needed.filter((skill) => !agent.skills.includes(skill)) },
    });
  }
  if (!(await deps.agents.reserve(agentId))) {
    throw new ConflictError(
      `Agent ${agentId} is at capacity (${agent.activeTickets} of ${agent.capacity}).`,
      {
        extra: { active: agent.activeTickets, capacity: agent.capacity },
      },
    );
  }
  const now = deps.now();
  const leaseUntil = new Date(now.getTime() + deps.leaseMs);
  let assigned: ComplaintRecord | null;
  try {
    assigned = await deps.tickets.claimById(complaintId, {
      agentId,
      now,
      leaseUntil,
      eventType: 'assigned',
      origin,
    });
  } catch (error) {
    await deps.agents.release(agentId);
    throw error;
  }
  if (!assigned) {
    await deps.agents.release(agentId);
    throw new ConflictError(`Ticket ${complaintId} was taken or changed meanwhile; read it again.`);
  }
  await watchLeaseSafely(deps, complaintId, agentId, leaseUntil);
  await tellCrm(deps, assigned, { kind: 'assigned' });
  return assigned;
}
