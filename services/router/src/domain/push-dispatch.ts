import { takeReservedTicket } from './claim-next';
import { pushQueues, queueById, type DeskDeps } from './desk-deps';
import type { Agent } from './ports';
import { pushCandidates } from './push-assignment';
import { eligibleQueues } from './ticket-lifecycle';

/**
 * Push assignment: while the agent queue has waiting tickets, give the least-loaded online agent
 * with the queue's skills and a free slot (reserved atomically) the best ticket whose own skills
 * they have too. An agent who could take none is not asked again in this round; tickets no
 * online agent can serve wait. Returns how many it gave.
 */
export async function pushDispatch(deps: DeskDeps, queueId: string, requestId?: string): Promise<number> {
  const queue = queueById(deps, queueId);
  if (queue?.mode !== 'push') return 0;
  let assigned = 0;
  const nothingFor = new Set<string>();
  for (let round = 0; round < 1000; round++) {
    const candidates = pushCandidates(await deps.agents.onlineWithSkills(queue.skills), queue).filter(
      (candidate) => !nothingFor.has(candidate._id),
    );
    let reserved: Agent | undefined;
    for (const candidate of candidates) {
      if (await deps.agents.reserve(candidate._id)) {
        reserved = candidate;
        break;
      }
    }
    if (!reserved) break;
    const ticket = await takeReservedTicket(deps, reserved, [queue.id], 'assigned', {
      actor: 'router:push',
      requestId,
    });
    if (ticket) assigned++;
    else nothingFor.add(reserved._id);
  }
  return assigned;
}

/**
 * After an agent got a free slot or came online: offer them the push queues they may serve.
 * `known`: the agent as the caller just wrote them (a release answers it), saving a read.
 */
export async function pushDispatchFor(
  deps: DeskDeps,
  agentId: string,
  requestId?: string,
  known?: Agent | null,
): Promise<void> {
  const agent = known ?? (await deps.agents.findById(agentId));
  if (!agent?.online) return;
  const servable = pushQueues(deps).filter((queue) => eligibleQueues([queue], agent.skills).length === 1);
  // Runs on every resolve, release and lease expiry: ask the claim index, not the tickets (a
  // distinct over the collection). The sweep asks the tickets and assigns what this missed.
  const waiting = await deps.tickets.queuesWithIndexedTickets(servable.map((queue) => queue.id));
  for (const queueId of waiting) await pushDispatch(deps, queueId, requestId);
}
