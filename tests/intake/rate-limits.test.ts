import { createLogger } from '@triage/shared/kernel';
import { redisRateLimit } from '@triage/shared/http';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { RunningIntake } from '../../services/intake/src/service';
import { buildComplaint } from '../support/builders';
import { testQueuePrefix, testRedisUrl } from '../support/test-infra';
import { testKeys } from '../support/test-stack';
import { buildCfpbRecord, buildCrmTicket, deliver, startIntakeAlone, webhookSecrets } from './intake-harness';

describe('rate limits (Redis-backed, shared by every intake process)', () => {
  let first: RunningIntake;
  let second: RunningIntake;

  beforeAll(async () => {
    const limits = { RATE_LIMIT_PER_KEY: '4', RATE_LIMIT_PER_SOURCE: '3', RATE_LIMIT_WINDOW_MS: '60000' };
    const started = await startIntakeAlone('ratelimits', limits);
    first = started.intake;
    // A second process on the same Redis and prefix: the counters are shared, not per process.
    second = (
      await startIntakeAlone('ratelimits', {
        ...limits,
        MONGO_URL: started.env.MONGO_URL!,
        QUEUE_PREFIX: started.env.QUEUE_PREFIX!,
      })
    ).intake;
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
  });

  const postAs = (intake: RunningIntake, key: string) =>
    request(intake.url).post('/v1/complaints').set('Authorization', `Bearer ${key}`).send(buildComplaint());

  it('when an API key exceeds its limit across two intake processes, then 429 problem+json with Retry-After; other keys go on', async () => {
    await postAs(first, testKeys.crm).expect(202);
    await postAs(second, testKeys.crm).expect(202);
    await postAs(first, testKeys.crm).expect(202);
    await postAs(second, testKeys.crm).expect(202);

    const limited = await postAs(first, testKeys.crm).expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(limited.body.detail).toMatch(/API key/);
    await postAs(second, testKeys.crm).expect(429);

    await postAs(first, testKeys.admin).expect(202);
  });

  it('when a webhook source exceeds its limit, then 429 with Retry-After; unsigned requests do not use up its budget', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await deliver(first.url, 'generic-crm', buildCrmTicket(), { secret: webhookSecrets.retired }).expect(
        401,
      );
    }
    await deliver(first.url, 'generic-crm', buildCrmTicket()).expect(202);
    await deliver(second.url, 'generic-crm', buildCrmTicket()).expect(202);
    await deliver(first.url, 'generic-crm', buildCrmTicket()).expect(202);

    const limited = await deliver(second.url, 'generic-crm', buildCrmTicket()).expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body.detail).toMatch(/webhook source/);

    await deliver(first.url, 'cfpb', buildCfpbRecord(), { secret: webhookSecrets.cfpb }).expect(202);
  });
});

describe('rate limiter start-up before Redis connects', () => {
  it('when the limiter is created before its Redis connection is ready, then nothing is logged and the first request is counted once Redis answers', async () => {
    const redis = new Redis(testRedisUrl(), { enableOfflineQueue: false, lazyConnect: true });
    redis.on('error', () => undefined);
    const logger = createLogger('rate-limit-test', 'debug');
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    const app = express();
    const limiter = redisRateLimit({
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
      prefix: `${testQueuePrefix()}:rl:`,
      windowMs: 60_000,
      limit: 2,
      subject: 'test client',
      keyOf: () => 'client-a',
      logger,
    });
    app.use(limiter, (_req, res) => void res.json({ ok: true }));
    // The store's first script load was refused (not connected, no offline queue) and started
    // the connection; wait until it is ready.
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));

    const first = await request(app).get('/').expect(200);
    expect(first.headers['ratelimit']).toMatch(/remaining=1/);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    await redis.quit();
  });
});
