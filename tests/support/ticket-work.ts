import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';

/** Every skill the shipped queues and route rules ask for: an agent who may be given any ticket. */
export const everySkill = [
  'general',
  'billing',
  'credit',
  'fraud',
  'escalations',
  'zh',
  'welfare',
  'senior',
  'abuse',
  'supervisor',
  'repeat-desk',
];

/** Creates (or replaces) an online agent with every skill. */
export async function addAllRoundAgent(router: RunningRouter, agentId: string, capacity = 20): Promise<void> {
  await router.agents.upsert({
    _id: agentId,
    name: `All-round ${agentId}`,
    skills: everySkill,
    capacity,
    online: true,
  });
}

/**
 * An admin gives the waiting ticket to `agentId` (a push queue may have given it already: 409),
 * who acknowledges it and resolves it with `resolve` (code, summary…).
 */
export async function assignAckResolve(
  routerUrl: string,
  id: string,
  keys: { admin: string; agent: string; agentId: string },
  resolve: Record<string, unknown>,
): Promise<void> {
  const assigned = await request(routerUrl)
    .post(`/v1/tickets/${id}/assign`)
    .set('Authorization', `Bearer ${keys.admin}`)
    .send({ agentId: keys.agentId });
  if (assigned.status !== 200 && assigned.status !== 409)
    throw new Error(`assign answered ${assigned.status}: ${assigned.text}`);
  await request(routerUrl)
    .post(`/v1/tickets/${id}/ack`)
    .set('Authorization', `Bearer ${keys.agent}`)
    .send({})
    .expect(200);
  await request(routerUrl)
    .post(`/v1/tickets/${id}/resolve`)
    .set('Authorization', `Bearer ${keys.agent}`)
    .send(resolve)
    .expect(200);
}
