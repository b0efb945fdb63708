import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import {
  adminKey,
  agentKey,
  routerEnv,
  seedTickets,
  startTestRouter,
} from '../router/support/router-harness';

/**
 * Issue #12, items 1 and 2 at the router: an agent reads and lists only tickets in queues whose
 * skills they have, or that they hold or held; supervisors see everything but edit nothing.
 */
const supervisorKey = 'router-test-supervisor-sofia';

describe('router: agents see the queues they serve, supervisors see all', () => {
  let router: RunningRouter;
  const admin = { Authorization: `Bearer ${adminKey}` };
  const as = (agentId: string) => ({ Authorization: `Bearer ${agentKey(agentId)}` });
  const supervisor = { Authorization: `Bearer ${supervisorKey}` };

  beforeAll(async () => {
    const env = routerEnv('access-router', ['gina', 'fred']);
    router = await startTestRouter({ ...env, API_KEYS: `${env.API_KEYS},${supervisorKey}:supervisor:sofia` });
    await request(router.url)
      .put('/v1/agents/gina')
      .set(admin)
      .send({ name: 'Gina', skills: ['general'], capacity: 5 })
      .expect(201);
    await request(router.url)
      .put('/v1/agents/fred')
      .set(admin)
      .send({ name: 'Fred', skills: ['fraud'], capacity: 5 })
      .expect(201);
  });

  afterAll(async () => {
    await router?.stop();
  });

  it('when an agent reads a ticket of a queue whose skills they lack, then 404 problem+json with no customer data', async () => {
    const [fraudTicket] = await seedTickets(router, [{ queue: 'fraud' }]);
    const refused = await request(router.url).get(`/v1/tickets/${fraudTicket}`).set(as('gina')).expect(404);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.ticket).toBeUndefined();
    expect(refused.body.events).toBeUndefined();
    await request(router.url).get(`/v1/tickets/${fraudTicket}`).set(as('fred')).expect(200);
  });

  it('when an agent lists a queue whose skills they lack, then 403 problem+json; their own queue they list', async () => {
    await seedTickets(router, [{ queue: 'fraud' }]);
    const refused = await request(router.url).get('/v1/queues/fraud/tickets').set(as('gina')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.tickets).toBeUndefined();
    await request(router.url).get('/v1/queues/general/tickets').set(as('gina')).expect(200);
    const fred = await request(router.url)
      .get('/v1/queues/fraud/tickets?status=queued,claimed')
      .set(as('fred'))
      .expect(200);
    expect(fred.body.tickets.length).toBeGreaterThan(0);
  });

  it('when an agent held a ticket that was then transferred to a queue they cannot serve, then they still read it', async () => {
    const [ticket] = await seedTickets(router, [{ queue: 'general', score: 99 }]);
    const claimed = await request(router.url).post('/v1/agents/gina/claim').set(as('gina')).expect(200);
    expect(claimed.body.ticket.id).toBe(ticket);
    await request(router.url)
      .post(`/v1/tickets/${ticket}/transfer`)
      .set(as('gina'))
      .send({ queue: 'fraud', reason: 'looks like fraud' })
      .expect(200);
    const view = await request(router.url).get(`/v1/tickets/${ticket}`).set(as('gina')).expect(200);
    expect(view.body.ticket.queue).toBe('fraud');
  });

  it('when an agent acts on (reopens) a resolved ticket of a queue they cannot serve, then 404 and the ticket is not reopened', async () => {
    const [fraudTicket] = await seedTickets(router, [{ queue: 'fraud' }]);
    const supervised = { Authorization: `Bearer ${adminKey}` };
    // fraud is a push queue: Fred (online, fraud skills, room left) is assigned it on routing.
    const held = await request(router.url).get(`/v1/tickets/${fraudTicket}`).set(supervised).expect(200);
    expect(held.body.ticket).toMatchObject({ status: 'claimed', agentId: 'fred' });
    await request(router.url).post(`/v1/tickets/${fraudTicket}/ack`).set(as('fred')).expect(200);
    await request(router.url).post(`/v1/tickets/${fraudTicket}/resolve`).set(as('fred')).expect(200);

    const refused = await request(router.url)
      .post(`/v1/tickets/${fraudTicket}/reopen`)
      .set(as('gina'))
      .expect(404);
    expect(refused.body.ticket).toBeUndefined();
    await request(router.url).post(`/v1/tickets/${fraudTicket}/heartbeat`).set(as('gina')).expect(404);
    const after = await request(router.url).get(`/v1/tickets/${fraudTicket}`).set(supervised).expect(200);
    expect(after.body.ticket.status).toBe('resolved');
  });

  it('when a supervisor calls, then they read every queue, ticket and report and assign work, but cannot manage agents', async () => {
    const [fraudTicket, generalTicket] = await seedTickets(router, [
      { queue: 'fraud' },
      { queue: 'general', score: 100 },
    ]);
    await request(router.url).get(`/v1/tickets/${fraudTicket}`).set(supervisor).expect(200);
    await request(router.url).get('/v1/queues/fraud/tickets').set(supervisor).expect(200);
    await request(router.url).get('/v1/queues').set(supervisor).expect(200);
    await request(router.url).get('/v1/reports').set(supervisor).expect(200);
    await request(router.url).get('/v1/reports/escalations').set(supervisor).expect(200);
    await request(router.url).get('/v1/agents').set(supervisor).expect(200);
    const assigned = await request(router.url).post('/v1/agents/gina/claim').set(supervisor).expect(200);
    expect(assigned.body.ticket.id).toBe(generalTicket);
    await request(router.url)
      .put('/v1/agents/sofia')
      .set(supervisor)
      .send({ name: 'Sofia', skills: ['general'], capacity: 5 })
      .expect(403);
  });

  it('when an admin acts on a ticket, then its history names the admin, not a key suffix', async () => {
    const [ticket] = await seedTickets(router, [{ queue: 'billing' }]);
    await request(router.url)
      .put('/v1/agents/fred')
      .set(admin)
      .send({ name: 'Fred', skills: ['billing', 'fraud'], capacity: 5 })
      .expect(200);
    const claimed = await request(router.url).post('/v1/agents/fred/claim').set(admin).expect(200);
    expect(claimed.body.ticket.id).toBe(ticket);
    await request(router.url).post(`/v1/tickets/${ticket}/release`).set(admin).expect(200);
    const view = await request(router.url).get(`/v1/tickets/${ticket}`).set(admin).expect(200);
    const released = view.body.events.find((event: { type: string }) => event.type === 'released');
    expect(released.actor).toBe('admin:router-admin');
  });
});
