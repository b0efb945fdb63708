import { customerHistories } from '@triage/shared/infra';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import {
  adminKey,
  agentKey,
  routerEnv,
  seedTickets,
  startTestRouter,
} from '../router/support/router-harness';

/*
 * Issue #14, item 8: the agent workspace reads a ticket's decision (with its why in words) and
 * its customer's history. Both are read exactly like the ticket: an agent outside the ticket's
 * queues gets 404 and no data, a CRM key 403, no key 401, a malformed id 400.
 */
describe('ticket decision and customer history are scoped like the ticket', () => {
  let router: RunningRouter;
  const crmKey = 'router-test-crm-context-key';
  const env = routerEnv('ticket-context', ['gina', 'fred']);
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });

  beforeAll(async () => {
    router = await startTestRouter({ ...env, API_KEYS: `${env.API_KEYS},${crmKey}:crm:generic-crm` });
    await router.agents.upsert({ _id: 'gina', name: 'Gina', skills: ['general'], capacity: 5, online: true });
    await router.agents.upsert({ _id: 'fred', name: 'Fred', skills: ['billing'], capacity: 5, online: true });
  });
  afterAll(async () => {
    await router?.stop();
  });

  it('when an agent reads the decision or customer history of a ticket outside their queues, then 404 problem+json with no data; the queue’s agent reads both', async () => {
    const [billing] = await seedTickets(router, [{ queue: 'billing' }]);
    for (const part of ['decision', 'customer-history']) {
      const refused = await request(router.url)
        .get(`/v1/tickets/${billing}/${part}`)
        .set(as(agentKey('gina')))
        .expect(404);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).not.toHaveProperty('decision');
      expect(refused.body).not.toHaveProperty('complaints');
      expect(refused.body).not.toHaveProperty('customerId');
      await request(router.url)
        .get(`/v1/tickets/${billing}/${part}`)
        .set(as(agentKey('fred')))
        .expect(200);
    }
  });

  it('when a CRM key, no key or a malformed id is used, then 403, 401 and 400', async () => {
    const [general] = await seedTickets(router, [{ queue: 'general' }]);
    for (const part of ['decision', 'customer-history']) {
      await request(router.url).get(`/v1/tickets/${general}/${part}`).set(as(crmKey)).expect(403);
      await request(router.url).get(`/v1/tickets/${general}/${part}`).expect(401);
      await request(router.url)
        .get(`/v1/tickets/not-a-uuid/${part}`)
        .set(as(agentKey('gina')))
        .expect(400);
    }
  });

  it('when the customer has earlier complaints and outcomes, then the history lists them newest first and marks this ticket', async () => {
    const [ticket] = await seedTickets(router, [{ queue: 'general' }]);
    const stored = await router.tickets.findById(ticket!);
    const customerId = stored!.customer.id;
    const earlier = '11111111-1111-4111-8111-111111111111';
    await customerHistories(router.tickets.model.db).insertOne({
      _id: customerId,
      complaints: [
        { id: earlier, at: new Date('2026-01-05T08:00:00Z') },
        { id: ticket!, at: stored!.receivedAt },
      ],
      outcomes: [
        {
          complaintId: earlier,
          category: 'billing',
          code: 'refunded',
          finalAnswer: true,
          at: new Date('2026-01-06T08:00:00Z'),
        },
      ],
    });

    const history = await request(router.url)
      .get(`/v1/tickets/${ticket}/customer-history`)
      .set(as(agentKey('gina')))
      .expect(200);
    expect(history.body).toEqual({
      customerId,
      complaints: [
        { id: ticket, at: stored!.receivedAt.toISOString(), thisTicket: true },
        { id: earlier, at: '2026-01-05T08:00:00.000Z', thisTicket: false },
      ],
      outcomes: [
        {
          complaintId: earlier,
          category: 'billing',
          code: 'refunded',
          finalAnswer: true,
          at: '2026-01-06T08:00:00.000Z',
        },
      ],
    });
    const decision = await request(router.url)
      .get(`/v1/tickets/${ticket}/decision`)
      .set(as(adminKey))
      .expect(200);
    expect(decision.body).toMatchObject({
      decision: { category: 'billing', queue: 'general' },
      reasons: [],
      skippedRules: 0,
    });
  });
});
