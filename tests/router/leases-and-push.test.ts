import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { watchJobs } from './support/job-events';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('leases', () => {
  let router: RunningRouter;

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('leases', ['kim'], { LEASE_MS: '1500' }));
    await router.agents.upsert({ _id: 'kim', name: 'Kim', skills: ['general'], capacity: 3, online: true });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const post = (path: string) =>
    request(router.url)
      .post(path)
      .set('Authorization', `Bearer ${agentKey('kim')}`);

  it('when a lease runs out without a heartbeat, then the ticket returns to its queue and the agent gets the slot back', async () => {
    const leases = watchJobs(router.leaseWorker);
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const claimed = await post('/v1/agents/kim/claim').expect(200);
    const leaseExpiresAt = new Date(claimed.body.ticket.leaseExpiresAt).getTime();
    expect(leaseExpiresAt - new Date(claimed.body.ticket.claimedAt).getTime()).toBe(1500);

    const expired = await leases.waitFor((job) => job.data.complaintId === id && job.result === 'expired');
    leases.stop();
    expect(expired.finishedAt).toBeGreaterThanOrEqual(leaseExpiresAt);
    expect(expired.finishedAt - leaseExpiresAt).toBeLessThan(2000);
    const ticket = await router.tickets.findById(id!);
    expect(ticket).toMatchObject({ status: 'queued', ticket: { agentId: null, leaseExpiresAt: null } });
    expect(ticket?.events.map((event) => event.type)).toEqual([
      'triaged',
      'queued',
      'claimed',
      'lease-expired',
    ]);
    expect((await router.agents.findById('kim'))?.activeTickets).toBe(0);
    // Back in the queue: the next claim gets it again.
    expect((await post('/v1/agents/kim/claim').expect(200)).body.ticket.id).toBe(id);
    await post(`/v1/tickets/${id}/resolve`).expect(200);
  });

  it('when the lease of an acknowledged ticket runs out (a closed laptop), then the ticket stays with its agent and the supervisor sees the lapse', async () => {
    const leases = watchJobs(router.leaseWorker);
    const [id] = await seedTickets(router, [{ queue: 'general', score: 900 }]);
    expect((await post('/v1/agents/kim/claim').expect(200)).body.ticket.id).toBe(id);
    await post(`/v1/tickets/${id}/ack`).expect(200);

    await leases.waitFor((job) => job.data.complaintId === id && job.result === 'lapsed');
    leases.stop();
    const ticket = await router.tickets.findById(id!);
    expect(ticket).toMatchObject({ status: 'in_progress', ticket: { agentId: 'kim', leaseExpiresAt: null } });
    expect(ticket?.events.map((event) => event.type)).toEqual([
      'triaged',
      'queued',
      'claimed',
      'acknowledged',
      'lease-lapsed',
    ]);
    expect((await router.agents.findById('kim'))?.activeTickets).toBe(1);

    const feed = await request(router.url)
      .get('/v1/reports/escalations')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    expect(JSON.stringify(feed.body)).toContain('lease-lapsed');
    // Back at the desk: a heartbeat gives the ticket a lease again.
    const back = await post(`/v1/tickets/${id}/heartbeat`).expect(200);
    expect(back.body.ticket.leaseExpiresAt).toEqual(expect.any(String));
    await post(`/v1/tickets/${id}/resolve`).expect(200);
  });

  it('when the agent sends heartbeats, then the lease moves on and an earlier expiry timer only re-arms itself', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const claimed = await post('/v1/agents/kim/claim').expect(200);
    const renewed = await post(`/v1/tickets/${id}/heartbeat`).expect(200);
    expect(new Date(renewed.body.ticket.leaseExpiresAt).getTime()).toBeGreaterThanOrEqual(
      new Date(claimed.body.ticket.leaseExpiresAt).getTime(),
    );
    // What the first timer does when it finds the lease renewed (called directly: timing-free).
    expect(await router.desk.expireLease(id!, 'kim')).toBe('renewed');
    expect((await router.tickets.findById(id!))?.status).toBe('claimed');
    await post(`/v1/tickets/${id}/ack`).expect(200);
    await post(`/v1/tickets/${id}/heartbeat`).expect(200);
    await post(`/v1/tickets/${id}/pause`).expect(200);
    const noLease = await post(`/v1/tickets/${id}/heartbeat`).expect(409);
    expect(noLease.body.detail).toMatch(/waiting_customer ticket has no lease/);
    await post(`/v1/tickets/${id}/resolve`).expect(200);
  });
});

describe('push queues', () => {
  let router: RunningRouter;
  const agents = ['p1', 'p2', 'p3'];

  beforeAll(async () => {
    // rules/queues.json ships "fraud" as a push queue.
    router = await startTestRouter(routerEnv('push', agents));
    await router.agents.upsert({ _id: 'p1', name: 'P1', skills: ['fraud'], capacity: 2, online: true });
    await router.agents.upsert({
      _id: 'p2',
      name: 'P2',
      skills: ['fraud', 'general'],
      capacity: 2,
      online: true,
    });
    await router.agents.upsert({ _id: 'p3', name: 'P3', skills: ['fraud'], capacity: 5, online: false });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const holders = async (ids: readonly string[]) =>
    Promise.all(ids.map(async (id) => (await router.tickets.findById(id))?.ticket?.agentId ?? null));

  it('when tickets enter a push queue, then each goes to the least-loaded online agent with the skills and spare capacity', async () => {
    const ids = await seedTickets(router, [
      { queue: 'fraud' },
      { queue: 'fraud' },
      { queue: 'fraud' },
      { queue: 'fraud' },
      { queue: 'fraud' },
    ]);
    expect(await holders(ids)).toEqual(['p1', 'p2', 'p1', 'p2', null]); // both full: the fifth waits
    const first = await router.tickets.findById(ids[0]!);
    expect(first?.status).toBe('claimed');
    expect(first?.events.map((event) => event.type)).toEqual(['triaged', 'queued', 'assigned']);
    expect((await router.agents.findById('p1'))?.activeTickets).toBe(2);
  });

  it('when an agent goes offline, then their unstarted tickets go back and are pushed to agents with room', async () => {
    const mine = await request(router.url)
      .get('/v1/agents/p1/tickets')
      .set('Authorization', `Bearer ${agentKey('p1')}`)
      .expect(200);
    const [started, unstarted] = mine.body.tickets.map((ticket: { id: string }) => ticket.id) as string[];
    await request(router.url)
      .post(`/v1/tickets/${started}/ack`)
      .set('Authorization', `Bearer ${agentKey('p1')}`)
      .expect(200);

    const offline = await request(router.url)
      .post('/v1/agents/p1/presence')
      .set('Authorization', `Bearer ${agentKey('p1')}`)
      .send({ online: false })
      .expect(200);
    expect(offline.body).toMatchObject({
      handedBack: [unstarted],
      agent: { online: false, activeTickets: 1 },
    });
    // Nobody online has room yet (p2 is full, p3 offline): it waits.
    expect(await holders([unstarted!, started!])).toEqual([null, 'p1']);
    expect((await router.tickets.findById(unstarted!))?.events.map((event) => event.type)).toEqual([
      'triaged',
      'queued',
      'assigned',
      'handed-back',
    ]);

    // An admin brings p3 online (PUT replaces the profile): the waiting push tickets come to them.
    const put = await request(router.url)
      .put('/v1/agents/p3')
      .set('Authorization', `Bearer ${adminKey}`)
      .send({ name: 'P3', skills: ['fraud'], capacity: 5, online: true })
      .expect(200);
    expect(put.body.agent).toMatchObject({ id: 'p3', online: true });
    const p3 = await request(router.url)
      .get('/v1/agents/p3/tickets')
      .set('Authorization', `Bearer ${agentKey('p3')}`)
      .expect(200);
    expect(p3.body.tickets).toHaveLength(2); // the handed-back one and the fifth that waited
    expect((await router.agents.findById('p3'))?.activeTickets).toBe(2);
  });

  it('when a pushed agent finishes a ticket, then waiting push tickets flow to whoever now has room', async () => {
    const waiting = await seedTickets(router, [
      { queue: 'fraud' },
      { queue: 'fraud' },
      { queue: 'fraud' },
      { queue: 'fraud' },
    ]);
    // p3 takes three more (5 total); the last waits: p1 offline, p2 full.
    expect((await holders(waiting)).filter((holder) => holder === null)).toHaveLength(1);
    const p2 = await request(router.url)
      .get('/v1/agents/p2/tickets')
      .set('Authorization', `Bearer ${agentKey('p2')}`)
      .expect(200);
    await request(router.url)
      .post(`/v1/tickets/${p2.body.tickets[0].id}/resolve`)
      .set('Authorization', `Bearer ${agentKey('p2')}`)
      .expect(200);
    expect((await holders(waiting)).filter((holder) => holder === null)).toHaveLength(0);
    expect((await router.agents.findById('p2'))?.activeTickets).toBe(2);
  });
});
