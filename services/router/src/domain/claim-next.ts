import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { tellCrm } from './crm-loop';
import type { DeskDeps } from './desk-deps';
import { watchLeaseSafely } from './plan-timers';
import type { Agent, EventOrigin } from './ports';
import { eligibleQueues } from './ticket-lifecycle';

/**
 * The agent takes the best ticket they have every skill for (its queue's and its own). Capacity is
 * reserved first with one atomic update on the agent, then the ticket is claimed with one atomic
 * update on the complaint; a claim that finds nothing gives the slot back.
 */
export async function claimNext(
  deps: DeskDeps,
  agentId: string,
  requestId: string | undefined,
): Promise<ComplaintRecord | null> {
  // The common case is one update: the agent is online with a free slot. Only when it is not
  // do we read the agent to say why (or to repair a drifted counter).
  let agent = await deps.agents.reserveIfOnline(agentId);
  if (!agent) {
    const current = await deps.agents.findById(agentId);
    if (!current) throw new NotFoundError(`No agent with id ${agentId}.`);
    if (!current.online) {
      throw new ConflictError(`Agent ${agentId} is offline; set them online before claiming.`, {
        extra: { online: false },
      });
    }
    if (!(await reserveWithRepair(deps, current))) {
      throw new ConflictError(
        `Agent ${agentId} is at capacity (${current.activeTickets} of ${current.capacity} tickets open).`,
        { extra: { active: current.activeTickets, capacity: current.capacity } },
      );
    }
    agent = current;
  }
  const queues = eligibleQueues(deps.queues(), agent.skills);
  return takeReservedTicket(deps, agent, queues, 'claimed', { actor: `agent:${agentId}`, requestId });
}

/**
 * With a slot reserved for the agent: claim the best ticket of `queues` whose skills the agent
 * has, or give the slot back.
 */
export async function takeReservedTicket(
  deps: DeskDeps,
  agent: Pick<Agent, '_id' | 'skills'>,
  queues: readonly string[],
  eventType: 'claimed' | 'assigned',
  origin: EventOrigin,
): Promise<ComplaintRecord | null> {
  const agentId = agent._id;
  let ticket: ComplaintRecord | null;
  try {
    const now = deps.now();
    const leaseUntil = new Date(now.getTime() + deps.leaseMs);
    ticket = await deps.tickets.claimNext({
      agentId,
      agentSkills: agent.skills,
      queues,
      now,
      leaseUntil,
      eventType,
      origin,
    });
    if (ticket) await watchLeaseSafely(deps, ticket._id, agentId, leaseUntil);
  } catch (error) {
    await deps.agents.release(agentId);
    throw error;
  }
  if (!ticket) await deps.agents.release(agentId);
  else await tellCrm(deps, ticket, { kind: 'assigned' });
  return ticket;
}

async function reserveWithRepair(deps: DeskDeps, agent: Agent): Promise<boolean> {
  if (await deps.agents.reserve(agent._id)) return true;
  // The counter says full. If it has been quiet for a while and the tickets disagree, a process
  // died between reserving and claiming: correct it and try once more.
  const quietMs = deps.counterQuietMs ?? 30_000;
  const quietBefore = new Date(deps.now().getTime() - quietMs);
  const changedAt = agent.activeTicketsChangedAt?.getTime() ?? 0;
  if (changedAt >= quietBefore.getTime()) return false;
  const actual = await deps.tickets.countHeld(agent._id);
  if (actual >= agent.activeTickets) return false;
  if (!(await deps.agents.correctCount(agent._id, agent.activeTickets, actual, quietBefore))) return false;
  deps.logger.warn(
    { agentId: agent._id, counted: agent.activeTickets, actual },
    'agent capacity counter corrected',
  );
  return deps.agents.reserve(agent._id);
}
