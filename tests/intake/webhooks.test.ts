import { signWebhook } from '@triage/shared/http';
import request from 'supertest';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import {
  buildCfpbRecord,
  buildCrmTicket,
  deliver,
  findComplaints,
  webhookSecrets,
  webhookSecretsEnv,
} from './intake-harness';

describe('POST /v1/webhooks/:source', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('webhooks', { WEBHOOK_SECRETS: webhookSecretsEnv });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const storedWith = (externalId: string) => findComplaints(stack.env.MONGO_URL!, { externalId });

  describe('signatures', () => {
    it('when a generic-crm delivery is signed with the current secret, then 202 and the complaint is stored as mapped', async () => {
      const ticket = buildCrmTicket({ channel: 'WeChat', customer: { id: 'c-77', tier: 'VIP' } });
      const response = await deliver(stack.intake.url, 'generic-crm', ticket).expect(202);
      expect(response.body).toEqual({ id: expect.any(String), status: 'enqueued', duplicate: false });
      expect(response.headers.location).toBe(`/v1/complaints/${response.body.id}`);

      const [stored] = await storedWith(String(ticket.id));
      expect(stored).toMatchObject({
        _id: response.body.id,
        source: 'generic-crm',
        externalId: ticket.id,
        customer: { id: 'c-77', tier: 'vip' },
        channel: 'chat',
        body: ticket.description,
        metadata: { crmPriority: 'high', tags: ['web-order'] },
      });
      expect(stored?.events[0]).toMatchObject({ type: 'received', actor: 'webhook:generic-crm' });
    });

    it('when the source is mid-rotation, then deliveries signed with the old and the new secret are both accepted', async () => {
      for (const secret of [webhookSecrets.genericOld, webhookSecrets.genericNew]) {
        await deliver(stack.intake.url, 'generic-crm', buildCrmTicket(), { secret }).expect(202);
      }
    });

    it('when a delivery is signed with a secret the source does not have, then 401 problem+json and nothing is stored', async () => {
      const ticket = buildCrmTicket();
      const response = await deliver(stack.intake.url, 'generic-crm', ticket, {
        secret: webhookSecrets.retired,
      }).expect(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/X-Triage-Signature/);
      expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized', reason: 'mismatch' });
      // Another source's secret is not this source's either.
      await deliver(stack.intake.url, 'generic-crm', ticket, { secret: webhookSecrets.cfpb }).expect(401);
      expect(await storedWith(String(ticket.id))).toEqual([]);
    });

    it('when the body is changed after signing, then 401', async () => {
      const ticket = buildCrmTicket();
      const signedFor = JSON.stringify(ticket);
      const header = signWebhook(webhookSecrets.genericNew, signedFor);
      const tampered = signedFor.replace('twice', 'thrice');
      const response = await deliver(stack.intake.url, 'generic-crm', undefined, {
        raw: tampered,
        header,
      }).expect(401);
      expect(response.body.reason).toBe('mismatch');
    });

    it('when the signature is older or newer than 5 minutes, then 401 stale; within 5 minutes it is accepted', async () => {
      const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
      const stale = await deliver(stack.intake.url, 'generic-crm', buildCrmTicket(), { at: at(-301) }).expect(
        401,
      );
      expect(stale.body).toMatchObject({ status: 401, reason: 'stale' });
      const future = await deliver(stack.intake.url, 'generic-crm', buildCrmTicket(), { at: at(310) }).expect(
        401,
      );
      expect(future.body.reason).toBe('stale');
      await deliver(stack.intake.url, 'generic-crm', buildCrmTicket(), { at: at(-240) }).expect(202);
    });

    it.each([
      ['missing', ''],
      ['malformed', 'sha256=deadbeef'],
      ['malformed', 't=1700000000'],
    ])('when the signature header is %s (%j), then 401 problem+json', async (reason, header) => {
      const response = await request(stack.intake.url)
        .post('/v1/webhooks/generic-crm')
        .set('Content-Type', 'application/json')
        .set(header ? { 'X-Triage-Signature': header } : {})
        .send(JSON.stringify(buildCrmTicket()))
        .expect(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, reason });
    });

    it('when the source is unknown, then 404 problem+json, signed or not', async () => {
      const response = await deliver(stack.intake.url, 'salesforce', buildCrmTicket()).expect(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.detail).toMatch(/salesforce/);
      await deliver(stack.intake.url, 'Not_A..Source', buildCrmTicket()).expect(404);
    });
  });

  describe('source mappings', () => {
    it('when a CFPB record is delivered, then it is mapped, its tags reach the rules, and it is triaged', async () => {
      const triaged = watchCompletedJobs(stack.worker.worker);
      const record = buildCfpbRecord({
        Tags: 'Older American, Servicemember',
        'Submitted via': 'Postal mail',
      });
      const response = await deliver(stack.intake.url, 'cfpb', record, {
        secret: webhookSecrets.cfpb,
      }).expect(202);
      const id: string = response.body.id;
      await triaged.waitFor(id);
      triaged.stop();

      const stored = await request(stack.intake.url)
        .get(`/v1/complaints/${id}`)
        .set('Authorization', `Bearer ${testKeys.admin}`)
        .expect(200);
      expect(stored.body).toMatchObject({
        source: 'cfpb',
        externalId: record['Complaint ID'],
        customer: { id: `cfpb-consumer-${record['Complaint ID']}`, tier: 'standard' },
        channel: 'letter',
        subject: 'Managing an account',
        body: record['Consumer complaint narrative'],
        product: 'Checking or savings account',
        language: 'en',
        occurredAt: '2023-08-25T12:00:00.000Z',
        metadata: { tags: ['older-american', 'servicemember'], company: 'BIG BANK', state: 'FL' },
      });
      const fired: string[] = stored.body.decision.firedRules.map(
        (rule: { stage: string; rule: string }) => `${rule.stage}/${rule.rule}`,
      );
      expect(fired).toEqual(expect.arrayContaining(['severity/servicemember']));
    });

    it('when a payload does not map to a valid complaint, then 400 names every complaint field and its payload path', async () => {
      const response = await deliver(stack.intake.url, 'generic-crm', {
        id: 'T-bad-1',
        customer: { email: 'not-an-email' },
        channel: 'phone',
      }).expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path: '/customer/id',
            sourcePath: 'customer.id | customerId | customer_id | contact.id | requester.id',
          }),
          expect.objectContaining({
            path: '/customer/email',
            sourcePath: expect.stringContaining('customer.email'),
          }),
          expect.objectContaining({ path: '/body', sourcePath: expect.stringContaining('description') }),
        ]),
      );
      expect(await storedWith('T-bad-1')).toEqual([]);
    });

    it('when a delivery carries no external id, then 400 unless it sends an Idempotency-Key', async () => {
      const { id: _id, ...withoutId } = buildCrmTicket();
      const rejected = await deliver(stack.intake.url, 'generic-crm', withoutId).expect(400);
      expect(rejected.body.errors).toEqual([
        expect.objectContaining({ path: '/externalId', sourcePath: expect.any(String) }),
      ]);
      const first = await deliver(stack.intake.url, 'generic-crm', withoutId)
        .set('Idempotency-Key', 'delivery-42')
        .expect(202);
      const again = await deliver(stack.intake.url, 'generic-crm', withoutId)
        .set('Idempotency-Key', 'delivery-42')
        .expect(200);
      expect(again.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
    });
  });

  describe('malformed deliveries', () => {
    it('when the signed body is not JSON or is empty, then 400 problem+json', async () => {
      const notJson = await deliver(stack.intake.url, 'generic-crm', undefined, {
        raw: '{"id": "T-1",',
      }).expect(400);
      expect(notJson.body.detail).toMatch(/not valid JSON/);
      const empty = await deliver(stack.intake.url, 'generic-crm', undefined, { raw: '' }).expect(400);
      expect(empty.body.detail).toMatch(/empty/);
      const array = await deliver(stack.intake.url, 'generic-crm', [buildCrmTicket()]).expect(400);
      expect(array.body.errors).toEqual([expect.objectContaining({ path: '/' })]);
    });

    it('when the content type is not JSON, then 415 before the signature is looked at', async () => {
      const response = await request(stack.intake.url)
        .post('/v1/webhooks/generic-crm')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('id=T-1&description=hello')
        .expect(415);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      await request(stack.intake.url)
        .post('/v1/webhooks/generic-crm')
        .set('Content-Type', 'application/json; charset=latin1')
        .send('{}')
        .expect(415);
    });

    it('when the body is larger than 256 kB, then 413', async () => {
      const ticket = buildCrmTicket({ description: 'x'.repeat(300 * 1024) });
      const response = await deliver(stack.intake.url, 'generic-crm', ticket).expect(413);
      expect(response.body).toMatchObject({ status: 413, title: 'Payload too large' });
    });
  });

  describe('idempotency', () => {
    it('when the CRM retries a delivery, then the retry answers 200 with the original id', async () => {
      const ticket = buildCrmTicket();
      const first = await deliver(stack.intake.url, 'generic-crm', ticket).expect(202);
      const retry = await deliver(stack.intake.url, 'generic-crm', ticket).expect(200);
      expect(retry.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
      expect(retry.headers.location).toBe(`/v1/complaints/${first.body.id}`);
    });

    it('when 50 identical deliveries arrive at once, then exactly one complaint is created and triaged once', async () => {
      const triaged = watchCompletedJobs(stack.worker.worker);
      const record = buildCfpbRecord();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          deliver(stack.intake.url, 'cfpb', record, { secret: webhookSecrets.cfpb }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 202)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(49);
      const ids = new Set(responses.map((response) => response.body.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids] as [string];
      await triaged.waitFor(id);
      triaged.stop();

      const stored = await storedWith(record['Complaint ID']!);
      expect(stored.map((complaint) => complaint._id)).toEqual([id]);
      const types = stored[0]!.events.map((event) => event.type);
      expect(types.filter((type) => type === 'received')).toHaveLength(1);
      expect(types.filter((type) => type === 'triaged')).toHaveLength(1);
    });
  });

  it('when a delivered complaint is triaged, then GET /events lists each state change so far, in order', async () => {
    const triaged = watchCompletedJobs(stack.worker.worker);
    const accepted = await deliver(stack.intake.url, 'generic-crm', buildCrmTicket()).expect(202);
    await triaged.waitFor(accepted.body.id);
    triaged.stop();
    const history = await request(stack.intake.url)
      .get(`/v1/complaints/${accepted.body.id}/events`)
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    // The router appends `queued`, `claimed`… after these (tests/walking-skeleton.test.ts follows them).
    expect(history.body.events.slice(0, 3)).toEqual([
      expect.objectContaining({ type: 'received', actor: 'webhook:generic-crm' }),
      expect.objectContaining({ type: 'enqueued', actor: 'intake' }),
      expect.objectContaining({ type: 'triaged' }),
    ]);
    const times = history.body.events.map((event: { at: string }) => new Date(event.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
