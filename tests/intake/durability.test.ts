import { complaintEvent, type ComplaintRecord } from '@triage/shared/complaint';
import { pipelineJobQueues } from '@triage/shared/jobs';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startPrivateMongo, startRedisServer, type RedisServerHandle } from '../../tools/embedded-infra';
import { buildComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { testQueuePrefix, testRedisUrl } from '../support/test-infra';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import {
  buildCrmTicket,
  deliver,
  findComplaints,
  startIntakeAlone,
  webhookSecretsEnv,
  withComplaints,
} from './intake-harness';

const quickSweeps = { SWEEP_INTERVAL_MS: '250', SWEEP_MIN_AGE_MS: '300' };

/** Complaints as a crashed intake would leave them: stored, never enqueued. */
function buildStuckComplaints(count: number, at: Date): ComplaintRecord[] {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    const { occurredAt: _occurredAt, ...input } = buildComplaint();
    return {
      ...input,
      _id: id,
      source: 'api',
      dedupeKey: `id:${id}`,
      status: 'received',
      receivedAt: at,
      updatedAt: at,
      events: [{ ...complaintEvent('received', { actor: 'crm:test' }), at }],
    };
  });
}

/** Resolves once `worker` has completed `count` more sweep jobs. */
function sweepsCompleted(worker: Worker, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onCompleted = () => {
      seen += 1;
      if (seen >= count) {
        worker.off('completed', onCompleted);
        resolve();
      }
    };
    worker.on('completed', onCompleted);
  });
}

function eventTypes(complaint: { events: Array<{ type: string }> }): string[] {
  return complaint.events.map((event) => event.type);
}

describe('accepted means durable: Redis down during intake', () => {
  let redis: RedisServerHandle;
  let stack: TestStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startTestStack('redisdown', {
      REDIS_URL: redis.url,
      WEBHOOK_SECRETS: webhookSecretsEnv,
      ...quickSweeps,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('when Redis is stopped, then intake still answers 202 quickly; when Redis is back, the sweeper enqueues and the complaint is triaged', async () => {
    await redis.stop();

    const started = Date.now();
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(buildComplaint())
      .expect(202);
    const delivered = await deliver(stack.intake.url, 'generic-crm', buildCrmTicket()).expect(202);
    // Two requests, each bounded by ENQUEUE_TIMEOUT_MS (1.5 s) at worst; the rate limiter fails open.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'received', duplicate: false });
    expect(delivered.body.status).toBe('received');
    const ids: string[] = [accepted.body.id, delivered.body.id];

    // Still ready for a load balancer (Redis is reported, not required), so traffic keeps coming.
    const ready = await request(stack.intake.url).get('/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'degraded', checks: { mongodb: 'ok' } });
    expect(ready.body.checks.redis).not.toBe('ok');

    // Durable before the 202: both are in MongoDB while Redis is still down.
    const stored = await findComplaints(stack.env.MONGO_URL!, { _id: { $in: ids } });
    expect(stored.map((complaint) => complaint.status)).toEqual(['received', 'received']);

    const triaged = watchCompletedJobs(stack.worker.worker);
    redis = await startRedisServer({ port: redis.port });
    await Promise.all(ids.map((id) => triaged.waitFor(id, 25_000)));
    triaged.stop();

    for (const id of ids) {
      const history = await request(stack.intake.url)
        .get(`/v1/complaints/${id}/events`)
        .set('Authorization', `Bearer ${testKeys.admin}`)
        .expect(200);
      expect(history.body.events.slice(0, 3)).toEqual([
        expect.objectContaining({ type: 'received' }),
        expect.objectContaining({ type: 'enqueued', actor: 'sweeper' }),
        expect.objectContaining({ type: 'triaged' }),
      ]);
    }
  });
});

describe('the sweeper', () => {
  let stack: TestStack;
  let secondIntake: Awaited<ReturnType<typeof startIntakeAlone>>['intake'];

  beforeAll(async () => {
    stack = await startTestStack('sweeper', quickSweeps);
    // A second intake on the same database and queues: two sweepers, one scheduler.
    ({ intake: secondIntake } = await startIntakeAlone('sweeper', {
      ...quickSweeps,
      MONGO_URL: stack.env.MONGO_URL!,
      QUEUE_PREFIX: stack.env.QUEUE_PREFIX!,
    }));
  });

  afterAll(async () => {
    await secondIntake?.stop();
    await stack?.stop();
  });

  it('when complaints were left in received (a crash between insert and enqueue), then each is enqueued and triaged exactly once by two intakes', async () => {
    const stuck = buildStuckComplaints(6, new Date(Date.now() - 1000));
    const triaged = watchCompletedJobs(stack.worker.worker);
    await withComplaints(stack.env.MONGO_URL!, (model) => model.collection.insertMany(stuck as never[]));

    await Promise.all(stuck.map((complaint) => triaged.waitFor(complaint._id, 20_000)));
    triaged.stop();

    const after = await findComplaints(stack.env.MONGO_URL!, { _id: { $in: stuck.map((c) => c._id) } });
    expect(after).toHaveLength(6);
    for (const complaint of after) {
      const types = eventTypes(complaint);
      expect(types.filter((type) => type === 'enqueued')).toHaveLength(1);
      expect(types.filter((type) => type === 'triaged')).toHaveLength(1);
      expect(complaint.events.find((event) => event.type === 'enqueued')?.actor).toBe('sweeper');
    }
  });

  it('when a complaint is younger than SWEEP_MIN_AGE_MS, then sweeps leave it to its own request', async () => {
    const { intake, env } = await startIntakeAlone('sweepage', {
      SWEEP_INTERVAL_MS: '100',
      SWEEP_MIN_AGE_MS: '600000',
    });
    try {
      const [young] = buildStuckComplaints(1, new Date());
      await withComplaints(env.MONGO_URL!, (model) => model.collection.insertOne(young as never));
      await sweepsCompleted(intake.maintenanceWorker, 3);
      const [after] = await findComplaints(env.MONGO_URL!, { _id: young!._id });
      expect(after?.status).toBe('received');
    } finally {
      await intake.stop();
    }
  });
});

describe('accepted means durable: MongoDB down during intake', () => {
  it('when MongoDB is stopped, then POST answers 503 problem+json with Retry-After quickly and nothing is queued', async () => {
    const mongo = await startPrivateMongo();
    const prefix = testQueuePrefix();
    const { intake } = await startIntakeAlone('mongodown', {
      MONGO_URL: `${mongo.url}/triage-mongodown`,
      QUEUE_PREFIX: prefix,
      MONGO_TIMEOUT_MS: '1000',
    });
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const triageQueue = new Queue(pipelineJobQueues.triage, { connection: redis, prefix });
    try {
      await request(intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send(buildComplaint())
        .expect(202);
      expect(await triageQueue.count()).toBe(1);

      await mongo.stop();
      for (const send of [
        () =>
          request(intake.url)
            .post('/v1/complaints')
            .set('Authorization', `Bearer ${testKeys.crm}`)
            .send(buildComplaint()),
        () => deliver(intake.url, 'generic-crm', buildCrmTicket()),
      ]) {
        const started = Date.now();
        const response = await send().expect(503);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.body).toMatchObject({ status: 503, title: 'Service unavailable' });
      }
      // Nothing half-written: no job was added for a complaint that was not stored.
      expect(await triageQueue.count()).toBe(1);
    } finally {
      await triageQueue.close();
      redis.disconnect();
      await intake.stop();
      await mongo.stop();
    }
  });
});
