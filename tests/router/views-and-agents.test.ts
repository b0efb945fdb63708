import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('agents as data and the queue views', () => {
  let router: RunningRouter;

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('views', ['vic', 'wil']));
  });

  afterAll(async () => {
    await router?.stop();
  });

  const admin = { Authorization: `Bearer ${adminKey}` };

  it('when an admin PUTs agents, then they are created (201), replaced (200) and listed with their load and queues', async () => {
    await request(router.url)
      .put('/v1/agents/vic')
      .set(admin)
      .send({ name: 'Vic', skills: ['general'], capacity: 2 })
      .expect(201);
    const replaced = await request(router.url)
      .put('/v1/agents/vic')
      .set(admin)
      .send({ name: 'Vic Li', skills: ['general', 'billing'], capacity: 4, online: true })
      .expect(200);
    expect(replaced.body.agent).toMatchObject({ id: 'vic', name: 'Vic Li', capacity: 4, activeTickets: 0 });
    expect(replaced.body.agent.queues).toEqual(['general', 'billing']);
    await request(router.url)
      .put('/v1/agents/wil')
      .set(admin)
      .send({ name: 'Wil', skills: ['billing'], capacity: 1 })
      .expect(201);

    const list = await request(router.url).get('/v1/agents').set(admin).expect(200);
    expect(list.body.agents.map((agent: { id: string }) => agent.id)).toEqual(['vic', 'wil']);
  });

  it('when a PUT body is wrong or the caller is not an admin, then 400 names the fields and agents get 403', async () => {
    const bad = await request(router.url)
      .put('/v1/agents/vic')
      .set(admin)
      .send({ name: '', skills: ['Not A Skill'], capacity: 0, shift: 'night' })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      '/capacity',
      '/name',
      '/shift',
      '/skills/0',
    ]);
    await request(router.url)
      .put('/v1/agents/vic')
      .set('Authorization', `Bearer ${agentKey('vic')}`)
      .send({ name: 'Vic', skills: [], capacity: 9 })
      .expect(403);
    await request(router.url)
      .get('/v1/agents')
      .set('Authorization', `Bearer ${agentKey('vic')}`)
      .expect(403);
    await request(router.url)
      .get('/v1/agents/wil/tickets')
      .set('Authorization', `Bearer ${agentKey('vic')}`)
      .expect(403);
  });

  it('when tickets are late, close to late or on time, then GET /v1/queues counts breached and at-risk per queue', async () => {
    const minute = 60_000;
    const now = Date.now();
    await seedTickets(router, [
      { queue: 'billing', receivedAt: new Date(now - 10 * minute), firstResponseMs: 5 * minute }, // breached
      { queue: 'billing', receivedAt: new Date(now - 8 * minute), firstResponseMs: 10 * minute }, // past 75 %: at risk
      { queue: 'billing', receivedAt: new Date(now), firstResponseMs: 60 * minute }, // fine
    ]);
    const queues = await request(router.url).get('/v1/queues').set(admin).expect(200);
    const billing = queues.body.queues.find((queue: { id: string }) => queue.id === 'billing');
    expect(billing).toMatchObject({ mode: 'pull', depth: 3, active: 0, breached: 1, atRisk: 1 });
    expect(new Date(billing.oldestReceivedAt).getTime()).toBe(now - 10 * minute);
    expect(queues.body.queues.map((queue: { id: string }) => queue.id)).toContain('supervisors');
  });

  it("when a queue's tickets are listed, then they come in claim order and can be filtered by status", async () => {
    const waiting = await request(router.url).get('/v1/queues/billing/tickets').set(admin).expect(200);
    const scores = waiting.body.tickets.map((ticket: { priorityScore: number }) => ticket.priorityScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(waiting.body.tickets[0].sla).toMatchObject({ breached: true, phase: 'first-response' });

    await request(router.url)
      .post('/v1/agents/wil/claim')
      .set('Authorization', `Bearer ${agentKey('wil')}`)
      .expect(200);
    const held = await request(router.url)
      .get('/v1/queues/billing/tickets?status=claimed,in_progress')
      .set(admin)
      .expect(200);
    expect(held.body.tickets).toHaveLength(1);
    expect(held.body.tickets[0]).toMatchObject({ status: 'claimed', agentId: 'wil' });
    const mine = await request(router.url)
      .get('/v1/agents/wil/tickets')
      .set('Authorization', `Bearer ${agentKey('wil')}`)
      .expect(200);
    expect(mine.body.tickets.map((ticket: { id: string }) => ticket.id)).toEqual([held.body.tickets[0].id]);

    await request(router.url).get('/v1/queues/billing/tickets?status=lost').set(admin).expect(400);
    await request(router.url).get('/v1/queues/nowhere/tickets').set(admin).expect(404);
  });
});
