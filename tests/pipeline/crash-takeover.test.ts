import type { ComplaintRecord } from '@triage/shared/complaint';
import { pipelineJobQueues } from '@triage/shared/jobs';
import { complaintModel } from '@triage/shared/infra';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import request from 'supertest';
import { loadIntakeConfig } from '../../services/intake/src/config';
import { startIntake, type RunningIntake } from '../../services/intake/src/service';
import { loadRouterConfig } from '../../services/router/src/config';
import { startRouter, type RunningRouter } from '../../services/router/src/service';
import { loadWorkerConfig } from '../../services/worker/src/config';
import { startWorker, type RunningWorker } from '../../services/worker/src/service';
import { buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/test-infra';
import { testKeys } from '../support/test-stack';
import { spawnService, type ChildService } from './support/child-service';
import { startFreezableProxy, type FreezableProxy } from './support/freezable-proxy';

/** The bound: a job held by a killed process is taken over within this. */
const TAKEOVER_BOUND_MS = 10_000;

function stackEnv(label: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: testMongoUrl(label),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    API_KEYS: `${testKeys.crm}:crm:test-crm`,
    INTAKE_PORT: '0',
    WORKER_PORT: '0',
    ROUTER_PORT: '0',
    RULES_DIR: 'rules',
    RULES_WATCH: 'false',
    // The sweeps must not be what completes the job.
    MAINTENANCE_INTERVAL_MS: '0',
  };
}

/**
 * Records every job that becomes active (some worker took it) from now on, so a test can wait for
 * one whose id it learns later: a job may be taken before the request that added it returns.
 */
function watchActive(events: QueueEvents): (jobId: string) => Promise<void> {
  const seen = new Set<string>();
  const waiting = new Map<string, () => void>();
  events.on('active', ({ jobId }) => {
    seen.add(jobId);
    waiting.get(jobId)?.();
  });
  return (jobId) =>
    seen.has(jobId) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(jobId, resolve));
}

describe('a job held by a killed process (SIGKILL) is taken over by another process', () => {
  const stops: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  });

  /**
   * A child that talks to MongoDB through a proxy of its own, so that freezing the proxy stops
   * it in the middle of its next job.
   */
  async function startChild(
    name: 'worker' | 'router',
    env: Record<string, string>,
  ): Promise<{ child: ChildService; proxy: FreezableProxy }> {
    const proxy = await startFreezableProxy(new URL(process.env.TRIAGE_TEST_MONGO_URL!));
    stops.push(() => proxy.close());
    const database = new URL(env.MONGO_URL!).pathname.slice(1);
    const child = await spawnService(name, { ...env, MONGO_URL: proxy.url(database) });
    stops.push(() => child.kill());
    return { child, proxy };
  }

  async function queueEvents(env: Record<string, string>, queue: string): Promise<QueueEvents> {
    const connection = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
    const events = new QueueEvents(queue, { connection, prefix: env.QUEUE_PREFIX });
    stops.push(async () => {
      await events.close();
      connection.disconnect();
    });
    await events.waitUntilReady();
    return events;
  }

  async function started<T extends { stop: () => Promise<void> }>(service: Promise<T>): Promise<T> {
    const running = await service;
    stops.push(() => running.stop());
    return running;
  }

  async function storedComplaint(env: Record<string, string>, id: string): Promise<ComplaintRecord> {
    const connection = await mongoose.createConnection(env.MONGO_URL!).asPromise();
    try {
      const found = await complaintModel(connection).findById(id).lean<ComplaintRecord>();
      if (!found) throw new Error(`complaint ${id} is not stored`);
      return found;
    } finally {
      await connection.close();
    }
  }

  async function submit(intake: RunningIntake): Promise<string> {
    const response = await request(intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(buildEnglishComplaint())
      .expect(202);
    return response.body.id as string;
  }

  it('when the worker holding a triage job is killed, then another worker triages the complaint within 10 s, once', async () => {
    const env = stackEnv('takeover-worker');
    const intake = await started(startIntake(loadIntakeConfig(env)));
    const { child, proxy } = await startChild('worker', env);
    const triageActive = watchActive(await queueEvents(env, pipelineJobQueues.triage));

    proxy.freeze();
    const id = await submit(intake);
    await triageActive(`triage-${id}`);
    await child.kill();
    const killedAt = Date.now();

    const survivor: RunningWorker = await started(startWorker(loadWorkerConfig(env)));
    const outcome = await watchCompletedJobs(survivor.worker).waitFor(id, TAKEOVER_BOUND_MS + 5_000);
    const takeoverMs = Date.now() - killedAt;

    expect(outcome).toBe('triaged');
    expect(takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    const stored = await storedComplaint(env, id);
    expect(stored.status).toBe('triaged');
    expect(stored.events.filter((event) => event.type === 'triaged')).toHaveLength(1);
  }, 60_000);

  it('when the router holding a route job is killed, then another router queues the complaint within 10 s, once', async () => {
    const env = stackEnv('takeover-router');
    const intake = await started(startIntake(loadIntakeConfig(env)));
    await started(startWorker(loadWorkerConfig(env)));
    const { child, proxy } = await startChild('router', env);
    const routeActive = watchActive(await queueEvents(env, pipelineJobQueues.route));

    proxy.freeze();
    const id = await submit(intake);
    await routeActive(`route-${id}`);
    await child.kill();
    const killedAt = Date.now();

    const survivor: RunningRouter = await started(startRouter(loadRouterConfig(env)));
    const outcome = await watchCompletedJobs(survivor.routeWorker).waitFor(id, TAKEOVER_BOUND_MS + 5_000);
    const takeoverMs = Date.now() - killedAt;

    expect(outcome).toBe('queued');
    expect(takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    const stored = await storedComplaint(env, id);
    expect(stored.status).toBe('queued');
    expect(stored.events.filter((event) => event.type === 'queued')).toHaveLength(1);
  }, 60_000);
});
