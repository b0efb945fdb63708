import { signWebhook } from '@triage/shared/http';
import request from 'supertest';
import type { RunningIntake } from '../../services/intake/src/service';
import { startRedisServer, type RedisServerHandle } from '../../tools/embedded-infra';
import { buildCrmTicket, findComplaints, startIntakeAlone, webhookSecrets } from '../intake/intake-harness';

/** One captured delivery: the exact bytes and the exact signature header, sent again as they are. */
function capture(payload: unknown): { raw: string; header: string } {
  const raw = JSON.stringify(payload);
  return { raw, header: signWebhook(webhookSecrets.genericNew, raw) };
}

function resend(baseUrl: string, delivery: { raw: string; header: string }, idempotencyKey?: string) {
  const post = request(baseUrl)
    .post('/v1/webhooks/generic-crm')
    .set('Content-Type', 'application/json')
    .set('X-Triage-Signature', delivery.header);
  if (idempotencyKey) post.set('Idempotency-Key', idempotencyKey);
  return post.send(delivery.raw);
}

describe('webhook replays (a captured signed delivery sent again)', () => {
  let intake: RunningIntake;
  let env: Record<string, string>;
  const perSource = 20;

  beforeAll(async () => {
    ({ intake, env } = await startIntakeAlone('replay', {
      RATE_LIMIT_PER_SOURCE: String(perSource),
      RATE_LIMIT_WINDOW_MS: '60000',
    }));
  });

  afterAll(async () => {
    await intake?.stop();
  });

  it('when a delivery without an external id is replayed with a new Idempotency-Key, then it answers the first complaint as a duplicate and creates nothing', async () => {
    const { id: _id, ...withoutId } = buildCrmTicket();
    const delivery = capture(withoutId);
    const first = await resend(intake.url, delivery, 'crm-delivery-1').expect(202);

    for (const key of ['attacker-1', 'attacker-2', 'attacker-3']) {
      const replay = await resend(intake.url, delivery, key).expect(200);
      expect(replay.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
    }
    const byCustomer = await findComplaints(env.MONGO_URL!, {
      'customer.id': (withoutId.customer as { id: string }).id,
    });
    expect(byCustomer.map((complaint) => complaint._id)).toEqual([first.body.id]);
  });

  it('when a replay arrives without the Idempotency-Key of a delivery that had one, then it still answers the first complaint', async () => {
    const { id: _id, ...withoutId } = buildCrmTicket();
    const delivery = capture(withoutId);
    const first = await resend(intake.url, delivery, 'crm-delivery-2').expect(202);
    const replay = await resend(intake.url, delivery).expect(200);
    expect(replay.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
  });

  it('when a delivery with an external id is replayed, then the replay answers 200 with the original id (a CRM retry learns its complaint)', async () => {
    const delivery = capture(buildCrmTicket());
    const first = await resend(intake.url, delivery).expect(202);
    const retry = await resend(intake.url, delivery, 'some-other-key').expect(200);
    expect(retry.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
    expect(retry.headers.location).toBe(`/v1/complaints/${first.body.id}`);
  });

  it("when one delivery is replayed far more often than the source's limit, then the CRM's next genuine delivery is still accepted", async () => {
    const { id: _id, ...withoutId } = buildCrmTicket();
    const delivery = capture(withoutId);
    const first = await resend(intake.url, delivery, 'crm-delivery-3').expect(202);
    const replays = await Promise.all(
      Array.from({ length: perSource * 3 }, (_, index) => resend(intake.url, delivery, `flood-${index}`)),
    );
    expect(new Set(replays.map((replay) => replay.status))).toEqual(new Set([200]));
    expect(new Set(replays.map((replay) => replay.body.id))).toEqual(new Set([first.body.id]));

    const genuine = capture(buildCrmTicket());
    const accepted = await resend(intake.url, genuine).expect(202);
    expect(accepted.body.duplicate).toBe(false);
  });
});

describe('webhook replays while Redis is down', () => {
  let redis: RedisServerHandle;
  let intake: RunningIntake;

  beforeAll(async () => {
    redis = await startRedisServer();
    ({ intake } = await startIntakeAlone('replaydown', { REDIS_URL: redis.url }));
  });

  afterAll(async () => {
    await intake?.stop();
    await redis?.stop();
  });

  it('when the replay cache cannot be asked, then a delivery without an external id is refused with 503 and one with an external id is still accepted', async () => {
    await redis.stop();
    const { id: _id, ...withoutId } = buildCrmTicket();
    const refused = await resend(intake.url, capture(withoutId), 'crm-delivery-4').expect(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await resend(intake.url, capture(buildCrmTicket())).expect(202);
  });
});
