import path from 'node:path';
import {
  closeRedis,
  closeServer,
  connectMongo,
  createLogger,
  createRedis,
  formatRuleError,
  listen,
  loadRuleset,
  pingMongo,
  pingRedis,
  portOf,
  queueNames,
  type Logger,
  type TriageJob,
} from '@triage/shared';
import { Worker } from 'bullmq';
import { createApp } from './app';
import type { WorkerConfig } from './config';
import { BullRouteQueue } from './data-access/route-queue';
import { TriageRepository } from './data-access/triage-repository';
import { RulesetHolder } from './domain/ruleset-holder';
import { triageProcessor } from './entry-points/queue/triage-processor';

export interface RunningWorker {
  port: number;
  url: string;
  logger: Logger;
  rules: RulesetHolder;
  worker: Worker<TriageJob>;
  stop: () => Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  logger = createLogger('worker', config.LOG_LEVEL),
): Promise<RunningWorker> {
  const rulesDir = path.resolve(config.RULES_DIR);
  const rules = new RulesetHolder();
  if (!rules.apply(await loadRuleset(rulesDir))) {
    const errors = rules.status().errors.map(formatRuleError);
    throw new Error(`rules in ${rulesDir} are invalid:\n  ${errors.join('\n  ')}`);
  }
  logger.info({ rulesDir, version: rules.status().version }, 'ruleset loaded');

  const mongo = await connectMongo(config.MONGO_URL, logger);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger, 'worker-consumer');
  const producerRedis = createRedis(config.REDIS_URL, 'producer', logger, 'worker-producer');
  const repository = new TriageRepository(mongo);
  const routeQueue = new BullRouteQueue(producerRedis, config.QUEUE_PREFIX);
  routeQueue.queue.on('error', (error) => logger.warn({ err: error }, 'route queue error'));

  const worker = new Worker<TriageJob>(
    queueNames.triage,
    triageProcessor({ rules, store: repository, sources: repository, routeQueue, logger }),
    { connection: workerRedis, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'triage worker error'));
  worker.on('failed', (job, error) =>
    logger.warn(
      { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, requestId: job?.data.requestId },
      'triage job failed',
    ),
  );

  const app = createApp({
    logger,
    apiKeys: config.API_KEYS,
    rules,
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      { name: 'redis', check: () => pingRedis(workerRedis) },
    ],
  });
  const server = await listen(app, config.WORKER_PORT);
  const port = portOf(server);
  logger.info({ port, concurrency: config.WORKER_CONCURRENCY }, 'worker listening');

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    logger,
    rules,
    worker,
    stop: async () => {
      await closeServer(server);
      await worker.close();
      await routeQueue.close();
      await closeRedis(workerRedis);
      await closeRedis(producerRedis);
      await mongo.close();
    },
  };
}
