import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

const supervisorKey = 'router-test-supervisor-sofia';

describe('a supervisor assigns a ticket to a named agent', () => {
  let router: RunningRouter;
  const agents = ['wei', 'bob', 'full'];
  const env = routerEnv('assign', agents);

  beforeAll(async () => {
    router = await startTestRouter({ ...env, API_KEYS: `${env.API_KEYS},${supervisorKey}:supervisor:sofia` });
    await router.agents.upsert({
      _id: 'wei',
      name: '王伟',
      skills: ['general', 'zh'],
      capacity: 3,
      online: true,
    });
    await router.agents.upsert({ _id: 'bob', name: 'Bob', skills: ['general'], capacity: 3, online: true });
    await router.agents.upsert({
      _id: 'full',
      name: 'Full',
      skills: ['general', 'zh'],
      capacity: 0,
      online: true,
    });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const assign = (id: string, key: string, body: object) =>
    request(router.url).post(`/v1/tickets/${id}/assign`).set('Authorization', `Bearer ${key}`).send(body);

  it('when the agent has the skills and a free slot, then they hold the ticket with a lease and the history names the supervisor', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', skills: ['general', 'zh'] }]);
    const assigned = await assign(id!, supervisorKey, { agentId: 'wei' }).expect(200);
    expect(assigned.body.ticket).toMatchObject({ status: 'claimed', agentId: 'wei', skills: ['zh'] });
    expect(assigned.body.ticket.leaseExpiresAt).toEqual(expect.any(String));
    const stored = await router.tickets.findById(id!);
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'assigned',
      actor: 'supervisor:sofia',
      data: { agentId: 'wei' },
    });
    expect((await router.agents.findById('wei'))?.activeTickets).toBe(1);
    // Already held: assigning again is a conflict, not a silent hand-over.
    expect((await assign(id!, adminKey, { agentId: 'bob' }).expect(409)).body.ticketStatus).toBe('claimed');
  });

  it('when the agent lacks a skill the ticket needs or is at capacity, then 409 says why and the ticket keeps waiting', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', skills: ['general', 'zh'] }]);
    const noSkill = await assign(id!, supervisorKey, { agentId: 'bob' }).expect(409);
    expect(noSkill.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(noSkill.body.missingSkills).toEqual(['zh']);
    const full = await assign(id!, supervisorKey, { agentId: 'full' }).expect(409);
    expect(full.body.detail).toMatch(/at capacity/);
    expect((await router.tickets.findById(id!))?.status).toBe('queued');
    expect((await router.agents.findById('full'))?.activeTickets ?? 0).toBe(0);
    await assign(id!, supervisorKey, { agentId: 'nobody' }).expect(404);
    await assign(id!, supervisorKey, {}).expect(400);
  });

  it('when an agent tries to assign a ticket (to themselves or anyone), then 403 and nothing changes', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const refused = await assign(id!, agentKey('bob'), { agentId: 'bob' }).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await router.tickets.findById(id!))?.status).toBe('queued');
  });
});
