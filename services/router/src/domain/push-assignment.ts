import type { QueueDefinition } from '@triage/rules';
import type { Agent } from './ports';

/** What push assignment needs to know of an agent. */
export type AgentLoad = Pick<Agent, '_id' | 'skills' | 'capacity' | 'activeTickets' | 'online'>;

/**
 * The agents a push queue may assign to, best first: online, with every skill the queue needs
 * and spare capacity; the least loaded first (fewest open tickets, then most spare capacity,
 * then id so the order is stable). The caller still reserves capacity atomically, so a stale
 * load figure can only cost a retry, never an agent over capacity.
 */
export function pushCandidates<A extends AgentLoad>(
  agents: readonly A[],
  queue: Pick<QueueDefinition, 'skills'>,
): A[] {
  return agents
    .filter(
      (agent) =>
        agent.online &&
        agent.activeTickets < agent.capacity &&
        queue.skills.every((skill) => agent.skills.includes(skill)),
    )
    .sort(
      (a, b) =>
        a.activeTickets - b.activeTickets ||
        b.capacity - b.activeTickets - (a.capacity - a.activeTickets) ||
        a._id.localeCompare(b._id),
    );
}
