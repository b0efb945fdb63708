import { NotFoundError } from '@triage/shared/kernel';
import type { DeskDeps } from './desk-deps';
import type { Agent } from './ports';
import { pushDispatch, pushDispatchFor } from './push-dispatch';

/** Online: offer push work. Offline: hand back tickets not yet started. */
export async function setPresence(
  deps: DeskDeps,
  agentId: string,
  online: boolean,
  requestId?: string,
): Promise<{ agent: Agent; handedBack: string[] }> {
  const agent = await deps.agents.setOnline(agentId, online);
  if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
  const handedBack = online ? [] : await handBackUnstarted(deps, agentId, requestId);
  if (online) await pushDispatchFor(deps, agentId, requestId);
  return { agent: (await deps.agents.findById(agentId)) ?? agent, handedBack };
}

/** An agent profile changed (PUT /v1/agents/:id): apply its presence. Returns the tickets handed back. */
export async function agentChanged(deps: DeskDeps, agent: Agent, requestId?: string): Promise<string[]> {
  if (agent.online) {
    await pushDispatchFor(deps, agent._id, requestId);
    return [];
  }
  return handBackUnstarted(deps, agent._id, requestId);
}

async function handBackUnstarted(
  deps: DeskDeps,
  agentId: string,
  requestId: string | undefined,
): Promise<string[]> {
  const handedBack: string[] = [];
  const queues = new Set<string>();
  for (const id of await deps.tickets.claimedBy(agentId)) {
    const ticket = await deps.tickets.handBack(id, agentId, deps.now(), { actor: 'router', requestId });
    if (!ticket?.ticket) continue;
    handedBack.push(id);
    queues.add(ticket.ticket.queue);
    await deps.agents.release(agentId);
  }
  for (const queueId of queues) await pushDispatch(deps, queueId, requestId);
  return handedBack;
}
