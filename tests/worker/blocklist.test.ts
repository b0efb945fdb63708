import request from 'supertest';
import { buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

const admin = `Bearer ${testKeys.admin}`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('blocklist: accountable admin changes, and blocklisted customers are triaged, never dropped', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('blocklist', { RULES_WATCH: 'false' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function submitAndRoute(customerId: string, body: string) {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(buildEnglishComplaint({ customer: { id: customerId, tier: 'standard' }, body }))
      .expect(202);
    await routed.waitFor(accepted.body.id);
    routed.stop();
    const stored = await request(stack.intake.url)
      .get(`/v1/complaints/${accepted.body.id}`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    return stored.body;
  }

  it('when an admin blocks a customer, then the entry records who, when, why and until when', async () => {
    const until = inDays(30);
    const created = await request(stack.worker.url)
      .put('/v1/blocklist/c-block-1')
      .set('Authorization', admin)
      .send({ until, reason: 'Threatened staff on the phone (call 2026-03-01)' })
      .expect(201);
    expect(created.body).toMatchObject({
      customerId: 'c-block-1',
      until,
      reason: 'Threatened staff on the phone (call 2026-03-01)',
      addedBy: 'admin:test-admin',
      addedAt: expect.any(String),
      removedAt: null,
      active: true,
      history: [{ action: 'blocked', by: 'admin:test-admin', until, reason: expect.any(String) }],
    });

    const extended = await request(stack.worker.url)
      .put('/v1/blocklist/c-block-1')
      .set('Authorization', admin)
      .send({ until: inDays(60), reason: 'Second incident' })
      .expect(200);
    expect(extended.body.history.map((event: { action: string }) => event.action)).toEqual([
      'blocked',
      'blocked',
    ]);

    const listed = await request(stack.worker.url)
      .get('/v1/blocklist')
      .set('Authorization', admin)
      .expect(200);
    expect(listed.body.entries).toContainEqual(
      expect.objectContaining({ customerId: 'c-block-1', active: true }),
    );
  });

  it('when a blocklisted customer complains, then the complaint is triaged, flagged and queued for abuse review', async () => {
    const complaint = await submitAndRoute('c-block-1', 'You charged my card twice this month. Refund it.');
    expect(complaint.status).toBe('queued');
    expect(complaint.decision).toMatchObject({
      category: 'billing',
      queue: 'abuse-review',
      flags: expect.arrayContaining(['blocklisted']),
      tags: expect.arrayContaining(['blocklisted']),
    });
    expect(complaint.decision.firedRules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stage: 'severity', rule: 'blocklisted-caller' }),
        expect.objectContaining({ stage: 'route', rule: 'abuse-review' }),
      ]),
    );
    expect(complaint.ticket).toMatchObject({ queue: 'abuse-review' });
    expect(complaint.events.map((event: { type: string }) => event.type)).toEqual([
      'received',
      'enqueued',
      'triaged',
      'queued',
    ]);
  });

  it('when an admin removes the customer, then the entry is kept, marked removed by them, and new complaints route normally', async () => {
    const removed = await request(stack.worker.url)
      .delete('/v1/blocklist/c-block-1')
      .query({ reason: 'Apologised; reviewed by the team lead' })
      .set('Authorization', admin)
      .expect(200);
    expect(removed.body).toMatchObject({
      customerId: 'c-block-1',
      removedBy: 'admin:test-admin',
      removedAt: expect.any(String),
      removalReason: 'Apologised; reviewed by the team lead',
      active: false,
    });
    expect(removed.body.history.map((event: { action: string }) => event.action)).toEqual([
      'blocked',
      'blocked',
      'unblocked',
    ]);

    const active = await request(stack.worker.url)
      .get('/v1/blocklist')
      .set('Authorization', admin)
      .expect(200);
    expect(active.body.entries.map((entry: { customerId: string }) => entry.customerId)).not.toContain(
      'c-block-1',
    );
    const all = await request(stack.worker.url)
      .get('/v1/blocklist')
      .query({ include: 'all' })
      .set('Authorization', admin)
      .expect(200);
    expect(all.body.entries).toContainEqual(
      expect.objectContaining({ customerId: 'c-block-1', active: false }),
    );
    const one = await request(stack.worker.url)
      .get('/v1/blocklist/c-block-1')
      .set('Authorization', admin)
      .expect(200);
    expect(one.body.removedBy).toBe('admin:test-admin');

    const complaint = await submitAndRoute('c-block-1', 'Double charged on my card again, please refund.');
    expect(complaint.decision.flags).not.toContain('blocklisted');
    expect(complaint.decision.queue).toBe('billing');

    await request(stack.worker.url).delete('/v1/blocklist/c-block-1').set('Authorization', admin).expect(404);
  });

  it('when the request is incomplete or the date out of range, then 400 naming the field; unknown customers are 404', async () => {
    const put = (body: unknown) =>
      request(stack.worker.url)
        .put('/v1/blocklist/c-block-2')
        .set('Authorization', admin)
        .send(body as object);
    expect((await put({ until: inDays(10) }).expect(400)).body.errors).toEqual([
      { path: '/reason', message: expect.any(String) },
    ]);
    expect((await put({ until: inDays(-1), reason: 'x' }).expect(400)).body.errors).toEqual([
      { path: '/until', message: expect.stringMatching(/future/) },
    ]);
    expect((await put({ until: inDays(400), reason: 'x' }).expect(400)).body.errors).toEqual([
      { path: '/until', message: expect.stringMatching(/no later than/) },
    ]);
    expect((await put({ until: 'next week', reason: 'x' }).expect(400)).body.errors).toEqual([
      { path: '/until', message: expect.stringMatching(/ISO 8601/) },
    ]);
    expect((await put({ until: inDays(10), reason: 'x', by: 'me' }).expect(400)).body.errors).toEqual([
      { path: '/by', message: expect.any(String) },
    ]);
    await request(stack.worker.url).get('/v1/blocklist/nobody').set('Authorization', admin).expect(404);
    await request(stack.worker.url)
      .put('/v1/blocklist/c-block-2')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send({ until: inDays(10), reason: 'x' })
      .expect(403);
  });
});
