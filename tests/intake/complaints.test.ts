import request from 'supertest';
import type { RunningIntake } from '../../services/intake/src/service';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { testKeys } from '../support/test-stack';
import { findComplaints, startIntakeAlone } from './intake-harness';

describe('POST /v1/complaints: validation, idempotency, normalisation', () => {
  let intake: RunningIntake;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ intake, env } = await startIntakeAlone('complaints'));
  });

  afterAll(async () => {
    await intake?.stop();
  });

  const postAs = (key: string, body: unknown) =>
    request(intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${key}`)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const post = (body: unknown) => postAs(testKeys.crm, body);

  describe('validation', () => {
    it('when several fields are bad, then 400 problem+json names every one of them by path', async () => {
      const response = await post({
        customer: { email: 'nope', tier: 'diamond' },
        channel: 'pigeon',
        body: '',
        occurredAt: 'yesterday',
        bdy: 'a typo that would lose text if it were stripped',
      }).expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/validation-failed$/), status: 400 });
      const paths = response.body.errors.map((error: { path: string }) => error.path).sort();
      expect(paths).toEqual([
        '/bdy',
        '/body',
        '/channel',
        '/customer/email',
        '/customer/id',
        '/customer/tier',
        '/occurredAt',
      ]);
      expect(response.body.errors.find((error: { path: string }) => error.path === '/bdy').message).toMatch(
        /unknown field/,
      );
    });

    it('when the body is not JSON, then 400 problem+json; when it is not an object, then 400 too', async () => {
      const broken = await post('{"customer": ').expect(400);
      expect(broken.body.detail).toMatch(/not valid JSON/);
      await post([buildComplaint()]).expect(400);
      await post('"just a string"').expect(400);
    });

    it('when the content type is not JSON, then 415 problem+json', async () => {
      const response = await request(intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .set('Content-Type', 'text/plain')
        .send('my card was charged twice')
        .expect(415);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('when the body is larger than the default 256 kB, then 413 problem+json; just below it is accepted', async () => {
      const large = await post(buildComplaint({ body: 'x'.repeat(257 * 1024) })).expect(413);
      expect(large.body).toMatchObject({ status: 413, title: 'Payload too large' });
      await post(buildEnglishComplaint({ body: 'y'.repeat(99_000) })).expect(202);
    });

    it('when the Idempotency-Key header is malformed, then 400 names the header', async () => {
      const response = await post(buildComplaint()).set('Idempotency-Key', 'has spaces in it').expect(400);
      expect(response.body.detail).toMatch(/Idempotency-Key header/);
    });
  });

  describe('idempotency', () => {
    it('when 50 identical posts with one Idempotency-Key arrive at once, then exactly one complaint exists', async () => {
      const complaint = buildComplaint();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => post(complaint).set('Idempotency-Key', 'order-4711-complaint')),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 202)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(49);
      const ids = new Set(responses.map((response) => response.body.id));
      expect(ids.size).toBe(1);
      const stored = await findComplaints(env.MONGO_URL!, { 'customer.id': complaint.customer.id });
      expect(stored.map((complaint) => complaint._id)).toEqual([...ids]);
    });

    it('when (source, externalId) repeats under another Idempotency-Key, then 200 with the original id', async () => {
      const complaint = buildComplaint({ source: 'test-crm', externalId: 'SR-1001' });
      const first = await post(complaint).set('Idempotency-Key', 'attempt-1').expect(202);
      const second = await post(complaint).set('Idempotency-Key', 'attempt-2').expect(200);
      const third = await post(complaint).expect(200);
      expect(second.body).toEqual({ id: first.body.id, status: expect.any(String), duplicate: true });
      expect(third.body.id).toBe(first.body.id);
      // The same external id from another source is another complaint.
      await postAs('test-crm-key-0002', { ...complaint, source: undefined }).expect(202);
    });

    it('when the same key is used by another source, then it is another complaint', async () => {
      const a = await post(buildComplaint()).set('Idempotency-Key', 'shared-key').expect(202);
      const b = await postAs('test-crm-key-0002', buildComplaint())
        .set('Idempotency-Key', 'shared-key')
        .expect(202);
      expect(a.body.id).not.toBe(b.body.id);
    });
  });

  describe('normalisation', () => {
    it('when text is decomposed or has control characters, then it is stored NFC and clean, with the original kept', async () => {
      const body = 'Cafe\u0301 charged me twice\u0007\u0000 — 请退款\u200b。\nThanks';
      const subject = 'Re\u0301sume\u0301 of charges\u001b[31m';
      const response = await post(buildEnglishComplaint({ body, subject })).expect(202);
      const stored = await request(intake.url)
        .get(`/v1/complaints/${response.body.id}`)
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .expect(200);
      expect(stored.body.body).toBe('Café charged me twice — 请退款\u200b。\nThanks');
      expect(stored.body.subject).toBe('Résumé of charges[31m');
      expect(stored.body.original).toEqual({ body, subject });
    });

    it('when the text is already clean, then no original is stored', async () => {
      const response = await post(buildEnglishComplaint()).expect(202);
      const stored = await request(intake.url)
        .get(`/v1/complaints/${response.body.id}`)
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .expect(200);
      expect(stored.body.original).toBeUndefined();
    });
  });

  it('when a complaint is accepted, then its history starts with received then enqueued, with the actor', async () => {
    const response = await post(buildComplaint()).expect(202);
    expect(response.body).toEqual({ id: expect.any(String), status: 'enqueued', duplicate: false });
    const history = await request(intake.url)
      .get(`/v1/complaints/${response.body.id}/events`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    expect(history.body).toEqual({
      id: response.body.id,
      events: [
        expect.objectContaining({
          type: 'received',
          actor: 'crm:test-crm',
          data: expect.objectContaining({ source: 'test-crm' }),
        }),
        expect.objectContaining({ type: 'enqueued', actor: 'intake' }),
      ],
    });
  });
});

describe('POST /v1/complaints with a configured body limit', () => {
  it('when BODY_LIMIT is 2kb, then a 3 kB body is 413 and a 1 kB body is accepted', async () => {
    const { intake } = await startIntakeAlone('bodylimit', { BODY_LIMIT: '2kb' });
    try {
      const send = (text: string) =>
        request(intake.url)
          .post('/v1/complaints')
          .set('Authorization', `Bearer ${testKeys.crm}`)
          .send(buildEnglishComplaint({ body: text }));
      await send('z'.repeat(3 * 1024)).expect(413);
      await send('z'.repeat(1024)).expect(202);
    } finally {
      await intake.stop();
    }
  });
});
