import request from 'supertest';
import type { ComplaintRecord } from '@triage/shared/complaint';
import type { RunningRouter } from '../../services/router/src/service';
import {
  adminKey,
  agentKey,
  buildTriagedComplaint,
  routerEnv,
  seedTickets,
  startTestRouter,
  type TicketSeed,
} from './support/router-harness';

const supervisorKey = 'router-test-supervisor-sofia';

describe('a supervisor overrides severity or priority, and searches tickets', () => {
  let router: RunningRouter;
  const env = routerEnv('override-search', ['bob']);

  beforeAll(async () => {
    router = await startTestRouter({ ...env, API_KEYS: `${env.API_KEYS},${supervisorKey}:supervisor:sofia` });
    await router.agents.upsert({ _id: 'bob', name: 'Bob', skills: ['billing'], capacity: 5, online: true });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const override = (id: string, key: string, body: object) =>
    request(router.url).post(`/v1/tickets/${id}/override`).set('Authorization', `Bearer ${key}`).send(body);
  const search = (query: Record<string, string>, key = supervisorKey) =>
    request(router.url).get('/v1/tickets').query(query).set('Authorization', `Bearer ${key}`);

  /** Stores triaged complaints with the given record fields (customer, text, external id) and routes them. */
  async function seedComplaints(
    entries: ReadonlyArray<{ seed?: TicketSeed; record: Partial<ComplaintRecord> }>,
  ): Promise<string[]> {
    const docs = entries.map(({ seed, record }) => ({ ...buildTriagedComplaint(seed), ...record }));
    await router.tickets.model.insertMany(docs);
    for (const doc of docs) await router.desk.routeTriaged(doc._id, undefined);
    return docs.map((doc) => doc._id);
  }

  it('when a supervisor raises a waiting ticket, then severity and score change, the event keeps the reason, the clock is re-planned and a claim takes it first', async () => {
    const [low, high] = await seedTickets(router, [
      { queue: 'billing', score: 20, severity: 'low' },
      { queue: 'billing', score: 90, severity: 'high' },
    ]);
    const before = await router.tickets.findById(low!);
    const answer = await override(low!, supervisorKey, {
      severity: 'critical',
      priorityScore: 10_000,
      reason: 'regulator copied in',
    }).expect(200);
    expect(answer.body.ticket).toMatchObject({
      severity: 'critical',
      priorityScore: 10_000,
      status: 'queued',
    });

    const stored = await router.tickets.findById(low!);
    expect(stored?.decision?.severity).toBe('critical');
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'overridden',
      actor: 'supervisor:sofia',
      data: {
        from: { severity: 'low', priorityScore: 20 },
        to: { severity: 'critical', priorityScore: 10_000 },
        reason: 'regulator copied in',
      },
    });
    // A new clock generation (old timers are no-ops), planned again; deadlines as triage set them.
    expect(stored?.ticket?.sla?.generation).toBe((before?.ticket?.sla?.generation ?? 0) + 1);
    expect(stored?.ticket?.dueAt).toEqual(before?.ticket?.dueAt);

    const claimed = await request(router.url)
      .post('/v1/agents/bob/claim')
      .set('Authorization', `Bearer ${agentKey('bob')}`)
      .expect(200);
    expect(claimed.body.ticket.id).toBe(low);
    expect(high).toBeDefined();

    // Held tickets may be overridden too (a score alone; the severity stays).
    const held = await override(low!, adminKey, { priorityScore: 5, reason: 'handled by bob' }).expect(200);
    expect(held.body.ticket).toMatchObject({ status: 'claimed', severity: 'critical', priorityScore: 5 });
  });

  it('when an agent overrides, or the reason or both values are missing, or the ticket is resolved, then 403, 400 and 409 and nothing changes', async () => {
    const [id] = await seedTickets(router, [{ queue: 'billing', score: 30, severity: 'medium' }]);
    const refused = await override(id!, agentKey('bob'), { severity: 'high', reason: 'mine' }).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await override(id!, supervisorKey, { severity: 'high' }).expect(400);
    await override(id!, supervisorKey, { reason: 'nothing to change' }).expect(400);
    await override(id!, supervisorKey, { severity: 'urgent', reason: 'x' }).expect(400);
    const unchanged = await router.tickets.findById(id!);
    expect(unchanged?.decision?.severity).toBe('medium');
    expect(unchanged?.events.some((event) => event.type === 'overridden')).toBe(false);

    await router.desk.assign(id!, 'bob', { actor: 'test' });
    await router.desk.act(id!, 'resolve', { label: 'admin:test' });
    const conflict = await override(id!, supervisorKey, { severity: 'high', reason: 'late' }).expect(409);
    expect(conflict.body.ticketStatus).toBe('resolved');
    await override('00000000-0000-4000-8000-000000000000', supervisorKey, {
      severity: 'high',
      reason: 'x',
    }).expect(404);
  });

  it('when a supervisor searches by customer id, phone, email, external id or words (Chinese too), then the matching tickets come newest first', async () => {
    const older = new Date(Date.now() - 60_000);
    const [first, second, third] = await seedComplaints([
      {
        seed: { receivedAt: older },
        record: {
          customer: { id: 'cust-search-1', phone: '+86 138 0000 0001', email: 'li@example.cn' },
          externalId: 'CRM-7781',
          subject: '退款问题',
          body: '我的信用卡被重复扣款了',
        },
      },
      {
        record: {
          customer: { id: 'cust-search-1', email: 'li.other@example.cn' },
          subject: 'Refund still MISSING',
          body: 'The refund for order 42 never arrived.',
        },
      },
      {
        record: {
          customer: { id: 'cust-search-2', phone: '+44 20 7946 0000' },
          subject: 'Card blocked',
          body: 'My card (ending 1234) was blocked abroad [again].',
        },
      },
    ]);
    const ids = (response: request.Response) =>
      (response.body.tickets as Array<{ id: string }>).map((ticket) => ticket.id);

    expect(ids(await search({ customerId: 'cust-search-1' }).expect(200))).toEqual([second, first]);
    expect(ids(await search({ phone: '+86 138 0000 0001' }).expect(200))).toEqual([first]);
    expect(ids(await search({ email: 'li.other@example.cn' }).expect(200))).toEqual([second]);
    expect(ids(await search({ externalId: 'CRM-7781' }).expect(200))).toEqual([first]);
    expect(ids(await search({ q: '扣款' }).expect(200))).toEqual([first]);
    expect(ids(await search({ q: 'refund missing' }).expect(200))).toEqual([second]);
    // Words are text, not patterns: brackets and parentheses match themselves.
    expect(ids(await search({ q: '(ending [again]' }).expect(200))).toEqual([third]);
    expect(ids(await search({ q: 'ending)' }).expect(200))).toEqual([]);
    expect(ids(await search({ q: '.*' }).expect(200))).toEqual([]);
    expect(ids(await search({ customerId: 'cust-search-1', q: 'REFUND' }).expect(200))).toEqual([second]);
    const one = await search({ customerId: 'cust-search-1', limit: '1' }).expect(200);
    expect(ids(one)).toEqual([second]);
    expect(one.body.tickets[0]).toMatchObject({ customer: { id: 'cust-search-1' }, status: 'queued' });
  });

  it('when an agent searches, or no criterion is given, then 403 and 400', async () => {
    const refused = await search({ customerId: 'cust-search-1' }, agentKey('bob')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await search({}).expect(400);
    await search({ limit: '5' }).expect(400);
    await search({ q: 'x', limit: '1000' }).expect(400);
  });
});
