import path from 'node:path';
import { createLogger, type Logger } from '@triage/shared/kernel';
import { workerLockOptions } from '@triage/shared/jobs';
import { closeServer, listen, portOf, serverOptionsOf } from '@triage/shared/http';
import {
  connectMongo,
  closeRedis,
  createRedis,
  dropUnreachable,
  pingMongo,
  pingRedis,
} from '@triage/shared/infra';
import { formatSourceMappingError, loadSourceMappings, type SourceMapping } from '@triage/shared/sources';
import { Worker } from 'bullmq';
import type { RedisReply } from 'rate-limit-redis';
import type { IntakeConfig } from './config';
import { createApp } from './app';
import { ComplaintRepository } from './data-access/complaint-repository';
import { MaintenanceQueue, maintenanceQueueName } from './data-access/maintenance-queue';
import { BullTriageQueue } from './data-access/triage-queue';
import { RedisDeliveryLog } from './data-access/webhook-delivery-log';
import { sweepProcessor } from './entry-points/queue/sweep-processor';
import type { Express } from 'express';

export interface RunningIntake {
  port: number;
  url: string;
  /** The express app (tests compare its routes with the OpenAPI document). */
  app: Express;
  logger: Logger;
  /** The sweeper's BullMQ worker (tests wait on its `completed` events). */
  maintenanceWorker: Worker;
  stop: () => Promise<void>;
}

/**
 * Reads rules/sources and checks that every source with a webhook secret has a mapping.
 * Fails start-up with every problem listed.
 */
async function loadWebhookSources(config: IntakeConfig): Promise<ReadonlyMap<string, SourceMapping>> {
  const dir = path.resolve(config.RULES_DIR, 'sources');
  const { mappings, errors } = await loadSourceMappings(dir);
  const problems = errors.map(formatSourceMappingError);
  for (const source of config.WEBHOOK_SECRETS.keys()) {
    if (!mappings.has(source) && !errors.some((error) => path.basename(error.file) === `${source}.json`)) {
      problems.push(`WEBHOOK_SECRETS names "${source}" but ${dir} has no ${source}.json`);
    }
  }
  if (problems.length > 0)
    throw new Error(`webhook source mappings are invalid:\n  ${problems.join('\n  ')}`);
  return mappings;
}

/**
 * Connects, listens and returns a handle whose stop() closes HTTP, the sweeper, the queues,
 * Redis and MongoDB in that order.
 */
export async function startIntake(
  config: IntakeConfig,
  logger = createLogger('intake', config.LOG_LEVEL),
): Promise<RunningIntake> {
  const mappings = await loadWebhookSources(config);
  logger.info(
    { sources: [...mappings.keys()], signed: [...config.WEBHOOK_SECRETS.keys()] },
    'webhook sources loaded',
  );

  // Intake never buffers commands: with MongoDB away a request fails within MONGO_TIMEOUT_MS
  // (503 with Retry-After) instead of waiting in mongoose's buffer.
  const mongo = await connectMongo(config.MONGO_URL, logger, {
    serverSelectionTimeoutMS: config.MONGO_TIMEOUT_MS,
    bufferCommands: false,
  });
  const redis = createRedis(config.REDIS_URL, 'producer', logger, 'intake-producer');
  // The sweeper's connection waits for Redis rather than failing: it has no caller to answer.
  const maintenanceRedis = createRedis(config.REDIS_URL, 'worker', logger, 'intake-maintenance');
  const repository = new ComplaintRepository(mongo);
  await repository.ensureIndexes();
  const triageQueue = new BullTriageQueue(redis, config.QUEUE_PREFIX, config.ENQUEUE_TIMEOUT_MS);
  triageQueue.queue.on('error', (error) => logger.warn({ err: error }, 'triage queue error'));

  const maintenanceQueue = new MaintenanceQueue(maintenanceRedis, config.QUEUE_PREFIX);
  maintenanceQueue.queue.on('error', (error) => logger.warn({ err: error }, 'maintenance queue error'));
  const scheduleSweeps = () => {
    maintenanceQueue
      .scheduleSweeps(config.SWEEP_INTERVAL_MS)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the sweeper'));
  };
  maintenanceRedis.on('ready', scheduleSweeps);
  // The first `ready` may have passed while the indexes were built.
  if (maintenanceRedis.status === 'ready') scheduleSweeps();
  const maintenanceWorker = new Worker(
    maintenanceQueueName,
    sweepProcessor({
      store: repository,
      triageQueue,
      minAgeMs: config.SWEEP_MIN_AGE_MS,
      batchSize: config.SWEEP_BATCH_SIZE,
      logger,
    }),
    {
      connection: maintenanceRedis,
      prefix: config.QUEUE_PREFIX,
      concurrency: 1,
      ...workerLockOptions(config),
    },
  );
  maintenanceWorker.on('error', (error) => logger.warn({ err: error }, 'maintenance worker error'));
  maintenanceWorker.on('failed', (job, error) =>
    logger.warn({ err: error, jobId: job?.id }, 'sweep failed; the next tick retries'),
  );

  const app = createApp({
    logger,
    apiKeys: config.API_KEYS,
    bodyLimit: config.BODY_LIMIT,
    repository,
    triageQueue,
    mappings,
    webhookSecrets: config.WEBHOOK_SECRETS,
    webhookToleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
    deliveries: new RedisDeliveryLog(redis, config.QUEUE_PREFIX, config.ENQUEUE_TIMEOUT_MS),
    rateLimits: {
      sendCommand: (command, ...args) => redis.call(command, ...args) as Promise<RedisReply>,
      prefix: config.QUEUE_PREFIX,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      perKey: config.RATE_LIMIT_PER_KEY,
      perSource: config.RATE_LIMIT_PER_SOURCE,
      authFailures: config.RATE_LIMIT_AUTH_FAILURES,
    },
    trustProxy: config.TRUST_PROXY,
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      // Intake accepts complaints without Redis (stored, enqueued later by the sweeper), so a
      // Redis outage must not take it out of a load balancer: reported, not required.
      { name: 'redis', check: () => pingRedis(redis), required: false },
    ],
  });
  const server = await listen(app, config.INTAKE_PORT, ...serverOptionsOf(config));
  const port = portOf(server);
  logger.info({ port }, 'intake listening');

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    app,
    logger,
    maintenanceWorker,
    stop: async () => {
      await closeServer(server);
      maintenanceRedis.off('ready', scheduleSweeps);
      const redisDown = dropUnreachable(redis, maintenanceRedis);
      await maintenanceWorker.close(redisDown);
      await maintenanceQueue.close();
      await triageQueue.close();
      await closeRedis(maintenanceRedis);
      await closeRedis(redis);
      await mongo.close();
    },
  };
}
