import { readFile } from 'node:fs/promises';
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
  type RouteJob,
} from '@triage/shared';
import { Worker } from 'bullmq';
import { createApp } from './app';
import type { RouterConfig } from './config';
import { AgentRepository } from './data-access/agent-repository';
import { TicketRepository } from './data-access/ticket-repository';
import { routeProcessor } from './entry-points/queue/route-processor';

export interface RunningRouter {
  port: number;
  url: string;
  logger: Logger;
  agents: AgentRepository;
  routeWorker: Worker<RouteJob>;
  stop: () => Promise<void>;
}

export async function startRouter(
  config: RouterConfig,
  logger = createLogger('router', config.LOG_LEVEL),
): Promise<RunningRouter> {
  const rulesDir = path.resolve(config.RULES_DIR);
  const compiled = await loadRuleset(rulesDir);
  if (!compiled.ok)
    throw new Error(
      `rules in ${rulesDir} are invalid:\n  ${compiled.errors.map(formatRuleError).join('\n  ')}`,
    );
  const queues = compiled.ruleset.queues.queues;

  const mongo = await connectMongo(config.MONGO_URL, logger);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger, 'router-consumer');
  const tickets = new TicketRepository(mongo);
  await tickets.ensureIndexes();
  const agents = new AgentRepository(mongo);
  if (config.SEED_AGENTS_FILE) {
    const seeded = await agents.seedFromFile(await readFile(config.SEED_AGENTS_FILE, 'utf8'));
    logger.info({ file: config.SEED_AGENTS_FILE, agents: seeded }, 'agents seeded');
  }

  const worker = new Worker<RouteJob>(queueNames.route, routeProcessor({ tickets, logger }), {
    connection: workerRedis,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.ROUTE_CONCURRENCY,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'route worker error'));
  worker.on('failed', (job, error) =>
    logger.warn({ err: error, jobId: job?.id, requestId: job?.data.requestId }, 'route job failed'),
  );

  const app = createApp({
    logger,
    apiKeys: config.API_KEYS,
    tickets,
    agents,
    queues: () => queues,
    leaseMs: config.LEASE_MS,
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      { name: 'redis', check: () => pingRedis(workerRedis) },
    ],
  });
  const server = await listen(app, config.ROUTER_PORT);
  const port = portOf(server);
  logger.info({ port, queues: queues.map((q) => q.id) }, 'router listening');

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    logger,
    agents,
    routeWorker: worker,
    stop: async () => {
      await closeServer(server);
      await worker.close();
      await closeRedis(workerRedis);
      await mongo.close();
    },
  };
}
