import { customerTiers } from '@triage/rules';
import { channels } from '@triage/shared/complaint';
import { signWebhook } from '@triage/shared/http';
import fc from 'fast-check';
import request from 'supertest';
import type { RunningIntake } from '../../services/intake/src/service';
import { buildComplaint } from '../support/builders';
import { testKeys } from '../support/test-stack';
import { startIntakeAlone, webhookSecrets } from './intake-harness';

/** Keys that have broken JSON-to-database paths elsewhere: operators, dots, prototype names, NUL. */
const awkwardKey = fc.oneof(
  fc.constantFrom('$set', '$where', 'a.b', '', '__proto__', 'constructor', 'toString', '\u0000', '.', '$'),
  fc.string(),
);
const awkwardObject = fc.dictionary(awkwardKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const anything = fc.oneof(fc.jsonValue({ maxDepth: 4 }), awkwardObject);

/** A complaint whose fields are each either plausible or anything at all. */
const complaintish = fc.record(
  {
    externalId: fc.oneof(fc.string({ maxLength: 30 }), anything),
    source: fc.oneof(fc.constantFrom('api', 'shop-crm', 'UPPER', ''), anything),
    customer: fc.oneof(
      fc.record(
        {
          id: fc.oneof(fc.string({ maxLength: 20 }), anything),
          name: fc.oneof(fc.string(), anything),
          email: fc.oneof(fc.emailAddress(), anything),
          tier: fc.oneof(fc.constantFrom(...customerTiers), anything),
        },
        { requiredKeys: [] },
      ),
      anything,
    ),
    channel: fc.oneof(fc.constantFrom(...channels), anything),
    subject: fc.oneof(fc.string(), anything),
    body: fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'binary', minLength: 1 }), anything),
    language: fc.oneof(fc.constantFrom('en', 'zh-CN', 'x'), anything),
    occurredAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      anything,
    ),
    metadata: fc.oneof(awkwardObject, anything),
  },
  { requiredKeys: [] },
);

/** A generic-crm or CFPB payload whose fields are each plausible or anything. */
const crmPayload = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), anything),
    customer: fc.oneof(
      fc.record({ id: anything, email: anything, tier: anything }, { requiredKeys: [] }),
      anything,
    ),
    channel: fc.oneof(fc.constantFrom('Phone', 'WeChat', 'pigeon'), anything),
    priority: anything,
    description: fc.oneof(fc.string(), anything),
    createdAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      anything,
    ),
    tags: anything,
    'Complaint ID': fc.oneof(fc.integer().map(String), anything),
    'Submitted via': fc.oneof(fc.constantFrom('Web', 'Phone', 'Fax'), anything),
    'Date received': fc.oneof(fc.constantFrom('2023-08-25', '2023-02-30', '25/08/2023'), anything),
    'Consumer complaint narrative': anything,
    Issue: anything,
    Tags: anything,
  },
  { requiredKeys: [] },
);

describe('random JSON bodies never yield a 5xx', () => {
  let intake: RunningIntake;

  beforeAll(async () => {
    ({ intake } = await startIntakeAlone('randombodies', {
      RATE_LIMIT_PER_KEY: '1000000',
      RATE_LIMIT_PER_SOURCE: '1000000',
    }));
  });

  afterAll(async () => {
    await intake?.stop();
  });

  const postComplaint = (raw: string) =>
    request(intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .set('Content-Type', 'application/json')
      .send(raw);

  const deliverRaw = (source: 'generic-crm' | 'cfpb', raw: string) =>
    request(intake.url)
      .post(`/v1/webhooks/${source}`)
      .set('Content-Type', 'application/json')
      .set(
        'X-Triage-Signature',
        signWebhook(source === 'cfpb' ? webhookSecrets.cfpb : webhookSecrets.genericNew, raw),
      )
      .send(raw);

  const expectAnswered = (status: number, raw: string) => {
    if (status >= 500) throw new Error(`${status} for ${raw.slice(0, 500)}`);
  };

  it('when POST /v1/complaints gets any JSON, then it answers 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(complaintish, anything), async (body) => {
        const raw = JSON.stringify(body);
        expectAnswered((await postComplaint(raw)).status, raw);
      }),
      { numRuns: 300 },
    );
  });

  it('when signed webhook deliveries carry any JSON, then both sources answer 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(crmPayload, anything),
        fc.constantFrom('generic-crm', 'cfpb'),
        async (body, source) => {
          const raw = JSON.stringify(body);
          expectAnswered((await deliverRaw(source as 'generic-crm' | 'cfpb', raw)).status, raw);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when otherwise valid complaints carry any metadata, then it answers 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(awkwardObject, fc.dictionary(awkwardKey, anything)), async (metadata) => {
        const raw = JSON.stringify(buildComplaint({ metadata }));
        expectAnswered((await postComplaint(raw)).status, raw);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['a key with NUL', { 'order\u0000id': 1 }, '/metadata/order\u0000id'],
    ['a key starting with $', { nested: { $where: 'sleep(1000)' } }, '/metadata/nested/$where'],
  ])('when metadata has %s, then 400 names it', async (_case, metadata, path) => {
    const response = await postComplaint(JSON.stringify(buildComplaint({ metadata }))).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path })]);
  });

  it('when metadata is nested deeper than a database document may be, then 400 (also through a webhook)', async () => {
    // Written as text: JSON.stringify itself would overflow the stack at this depth.
    const deep = `${'{"next":'.repeat(5000)}"bottom"${'}'.repeat(5000)}`;
    const complaint = JSON.stringify(buildComplaint({ metadata: { deep: 'DEEP' } })).replace('"DEEP"', deep);
    const response = await postComplaint(complaint).expect(400);
    expect(response.body.errors[0].message).toMatch(/nested deeper than/);
    const ticket = `{"id":"T-deep","customer":{"id":"c-1"},"channel":"phone","description":"hi","url":${deep}}`;
    await deliverRaw('generic-crm', ticket).expect(400);
  });
});
