import {
  closeRedis,
  closeServer,
  connectMongo,
  createLogger,
  createRedis,
  listen,
  pingMongo,
  pingRedis,
  portOf,
  type Logger,
} from '@triage/shared';
import type { IntakeConfig } from './config';
import { createApp } from './app';
import { ComplaintRepository } from './data-access/complaint-repository';
import { BullTriageQueue } from './data-access/triage-queue';

export interface RunningIntake {
  port: number;
  url: string;
  logger: Logger;
  stop: () => Promise<void>;
}

/** Connects, listens and returns a handle whose stop() closes HTTP, the queue, Redis and MongoDB in that order. */
export async function startIntake(
  config: IntakeConfig,
  logger = createLogger('intake', config.LOG_LEVEL),
): Promise<RunningIntake> {
  const mongo = await connectMongo(config.MONGO_URL, logger);
  const redis = createRedis(config.REDIS_URL, 'producer', logger, 'intake-producer');
  const repository = new ComplaintRepository(mongo);
  await repository.ensureIndexes();
  const triageQueue = new BullTriageQueue(redis, config.QUEUE_PREFIX);
  triageQueue.queue.on('error', (error) => logger.warn({ err: error }, 'triage queue error'));

  const app = createApp({
    logger,
    apiKeys: config.API_KEYS,
    bodyLimit: config.BODY_LIMIT,
    repository,
    triageQueue,
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      { name: 'redis', check: () => pingRedis(redis) },
    ],
  });
  const server = await listen(app, config.INTAKE_PORT);
  const port = portOf(server);
  logger.info({ port }, 'intake listening');

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    logger,
    stop: async () => {
      await closeServer(server);
      await triageQueue.close();
      await closeRedis(redis);
      await mongo.close();
    },
  };
}
