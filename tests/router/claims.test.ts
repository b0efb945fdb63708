import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('router claims: queue order, skills and capacity', () => {
  let router: RunningRouter;
  const agents = ['ana', 'ben', 'cho', 'dan'];

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('claims', agents));
    await router.agents.upsert({
      _id: 'ana',
      name: 'Ana',
      skills: ['general', 'billing'],
      capacity: 10,
      online: true,
    });
    await router.agents.upsert({ _id: 'ben', name: 'Ben', skills: ['credit'], capacity: 3, online: true });
    await router.agents.upsert({
      _id: 'zed',
      name: 'Zed',
      skills: ['abuse-handling'],
      capacity: 2,
      online: true,
    });
    await router.agents.upsert({ _id: 'cho', name: 'Cho', skills: ['general'], capacity: 1, online: false });
    await router.agents.upsert({ _id: 'dan', name: 'Dan', skills: ['billing'], capacity: 3, online: true });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const claim = (agentId: string) =>
    request(router.url)
      .post(`/v1/agents/${agentId}/claim`)
      .set('Authorization', `Bearer ${agentKey(agentId)}`);

  it('when tickets wait, then claims take them by priority score, then earliest deadline, then arrival', async () => {
    const t0 = Date.now() - 60_000;
    const ids = await seedTickets(router, [
      { queue: 'general', score: 50, firstResponseMs: 3600_000, receivedAt: new Date(t0) }, // 0: same as 1, arrived first
      { queue: 'general', score: 50, firstResponseMs: 3600_000, receivedAt: new Date(t0 + 1000) }, // 1
      { queue: 'general', score: 50, firstResponseMs: 1800_000, receivedAt: new Date(t0 + 2000) }, // 2: earlier deadline
      { queue: 'billing', score: 80, firstResponseMs: 3600_000, receivedAt: new Date(t0 + 3000) }, // 3: highest score
    ]);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await claim('ana').expect(200)).body.ticket.id);
    expect(order).toEqual([ids[3], ids[2], ids[0], ids[1]]);
    for (const id of order) {
      await request(router.url)
        .post(`/v1/tickets/${id}/resolve`)
        .set('Authorization', `Bearer ${agentKey('ana')}`)
        .expect(200);
    }
  });

  it('when two complaints differ only in customer tier, then the higher tier is claimed first through its score', async () => {
    // The worker's score gives gold 10 points and standard 0 (priorityScore in evaluate-complaint).
    const [standard, gold] = await seedTickets(router, [
      { queue: 'billing', score: 50 + 0, tier: 'standard', receivedAt: new Date(Date.now() - 5000) },
      { queue: 'billing', score: 50 + 10, tier: 'gold' },
    ]);
    const first = await claim('dan').expect(200);
    expect(first.body.ticket).toMatchObject({
      id: gold,
      customer: { tier: 'gold' },
      status: 'claimed',
      agentId: 'dan',
    });
    const second = await claim('dan').expect(200);
    expect(second.body.ticket.id).toBe(standard);
    for (const id of [gold, standard]) {
      await request(router.url)
        .post(`/v1/tickets/${id}/release`)
        .set('Authorization', `Bearer ${agentKey('dan')}`)
        .expect(200);
    }
  });

  it("when an agent lacks a queue's skills, then they never get its tickets (204 when nothing else waits)", async () => {
    await seedTickets(router, [{ queue: 'escalations', score: 99 }]);
    await claim('ben').expect(204);
  });

  it('when one agent fires many claims at once, then capacity holds exactly and the rest get 409 problem+json', async () => {
    await seedTickets(
      router,
      Array.from({ length: 6 }, () => ({ queue: 'credit-reporting', score: 10 })),
    );
    const responses = await Promise.all(Array.from({ length: 12 }, () => claim('ben')));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    const conflict = responses.find((response) => response.status === 409);
    expect(conflict?.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(conflict?.body).toMatchObject({ status: 409, capacity: 3 });
    expect(await router.tickets.countHeld('ben')).toBe(3);
    expect((await router.agents.findById('ben'))?.activeTickets).toBe(3);

    const mine = await request(router.url)
      .get('/v1/agents/ben/tickets')
      .set('Authorization', `Bearer ${agentKey('ben')}`)
      .expect(200);
    expect(mine.body.tickets).toHaveLength(3);
    await request(router.url)
      .post(`/v1/tickets/${mine.body.tickets[0].id}/resolve`)
      .set('Authorization', `Bearer ${agentKey('ben')}`)
      .expect(200);
    expect((await router.agents.findById('ben'))?.activeTickets).toBe(2);
    await claim('ben').expect(200);
  });

  it('when an agent is offline, then their claim is a 409 saying so', async () => {
    const response = await claim('cho').expect(409);
    expect(response.body.detail).toMatch(/offline/);
  });

  it('when a claim finds nothing, then the reserved capacity slot is given back', async () => {
    await request(router.url)
      .post('/v1/agents/zed/claim')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(204);
    expect((await router.agents.findById('zed'))?.activeTickets).toBe(0);
  });

  it('when the counter drifted (a process died between reserving and claiming) and stayed quiet, then a claim corrects it', async () => {
    await router.agents.upsert({ _id: 'dan', name: 'Dan', skills: ['billing'], capacity: 3, online: true });
    const held = await router.tickets.countHeld('dan');
    // Simulate three lost reservations long ago; the tickets Dan released above left him long ago too.
    await router.agents.model.updateOne(
      { _id: 'dan' },
      { $set: { activeTickets: 3, activeTicketsChangedAt: new Date(Date.now() - 3600_000) } },
    );
    await router.tickets.model.updateMany(
      { 'events.data.agentId': 'dan' },
      { $set: { updatedAt: new Date(Date.now() - 3600_000) } },
    );
    await seedTickets(router, [{ queue: 'billing', score: 1 }]);
    await claim('dan').expect(200);
    expect((await router.agents.findById('dan'))?.activeTickets).toBe(held + 1);
  });

  it('when an admin claims for an agent, then it is allowed; an unknown agent is 404', async () => {
    await request(router.url)
      .post('/v1/agents/nobody/claim')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(404);
  });
});
