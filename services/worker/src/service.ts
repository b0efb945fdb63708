import path from 'node:path';
import { formatRuleError, readRuleFiles } from '@triage/rules';
import { createLogger, type Logger } from '@triage/shared/kernel';
import { pipelineJobQueues, type QaJob, type TriageJob, workerLockOptions } from '@triage/shared/jobs';
import {
  createServiceMetrics,
  observeQueueDepths,
  observeWorker,
  closeServer,
  listen,
  portOf,
  redisCommandsOf,
  serverOptionsOf,
} from '@triage/shared/http';
import {
  closeRedis,
  connectMongo,
  createRedis,
  pingMongo,
  pingRedis,
  watchRulesDirectory,
  type RulesWatcher,
} from '@triage/shared/infra';
import { Worker } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createApp } from './app';
import type { WorkerConfig } from './config';
import { BlocklistRepository } from './data-access/blocklist-repository';
import { BullRouteQueue } from './data-access/route-queue';
import {
  BullListingDeadlines,
  listingDeadlineQueueName,
  type ListingDeadlineJob,
} from './data-access/listing-deadline-queue';
import { listingDeadlineProcessor } from './entry-points/queue/listing-deadline-processor';
import { TriageRepository } from './data-access/triage-repository';
import { RulesetHolder } from './domain/ruleset-holder';
import { qaProcessor } from './entry-points/queue/qa-processor';
import { triageProcessor } from './entry-points/queue/triage-processor';
import type { Express } from 'express';
import { RuleToolThreads } from './entry-points/thread/rule-tool-threads';

export interface RunningWorker {
  port: number;
  url: string;
  /** The express app (tests compare its routes with the OpenAPI document). */
  app: Express;
  logger: Logger;
  rules: RulesetHolder;
  worker: Worker<TriageJob>;
  /** Lapses rule listings nobody confirmed by their deadline (rules/blocklist.json). */
  deadlineWorker: Worker<ListingDeadlineJob>;
  /** Scores closed tickets with the auto-QA rules (the router's `qa` jobs). */
  qaWorker: Worker<QaJob>;
  stop: () => Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  logger = createLogger('worker', config.LOG_LEVEL),
): Promise<RunningWorker> {
  const rulesDir = path.resolve(config.RULES_DIR);
  const metrics = createServiceMetrics('worker');
  const evaluationSeconds = new Histogram({
    name: 'triage_rule_evaluation_seconds',
    help: 'Time to evaluate the ruleset for one complaint (async facts included).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [metrics.registry],
  });
  const activeRuleset = new Gauge({
    name: 'triage_ruleset_active',
    help: 'The live ruleset: 1 for its version (content hash), with the time it was loaded.',
    labelNames: ['version'],
    registers: [metrics.registry],
  });
  const rejectedChanges = new Counter({
    name: 'triage_ruleset_rejected_total',
    help: 'Rule changes rejected by validation (the last good ruleset kept serving).',
    registers: [metrics.registry],
  });
  const rules = new RulesetHolder();
  // At start-up a broken ruleset is fatal: there is no last good one to fall back on.
  if (!(await rules.reload(() => readRuleFiles(rulesDir)))) {
    const errors = rules.status().errors.map(formatRuleError);
    throw new Error(`rules in ${rulesDir} are invalid:\n  ${errors.join('\n  ')}`);
  }
  logger.info({ rulesDir, version: rules.status().version }, 'ruleset loaded');
  activeRuleset.set({ version: rules.status().version ?? 'none' }, 1);
  rules.on('applied', (ruleset, changed) => {
    activeRuleset.reset();
    activeRuleset.set({ version: ruleset.version }, 1);
    if (changed) logger.info({ rulesDir, version: ruleset.version }, 'ruleset reloaded');
  });
  rules.on('rejected', (errors) => {
    rejectedChanges.inc();
    logger.error(
      {
        rulesDir,
        liveVersion: rules.status().version,
        ruleErrors: errors,
        errors: errors.map(formatRuleError),
      },
      'rule change rejected; the last good ruleset keeps serving',
    );
  });

  const mongo = await connectMongo(config.MONGO_URL, logger);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger, 'worker-consumer');
  const producerRedis = createRedis(config.REDIS_URL, 'producer', logger, 'worker-producer');
  const blocklist = new BlocklistRepository(mongo);
  const repository = new TriageRepository(mongo, blocklist);
  const backfilled = await repository.backfillCustomerHistories();
  if (backfilled > 0) logger.info({ complaints: backfilled }, 'customer histories backfilled');
  const routeQueue = new BullRouteQueue(producerRedis, config.QUEUE_PREFIX);
  routeQueue.queue.on('error', (error) => logger.warn({ err: error }, 'route queue error'));
  const deadlines = new BullListingDeadlines(producerRedis, config.QUEUE_PREFIX);
  deadlines.queue.on('error', (error) => logger.warn({ err: error }, 'blocklist-lapse queue error'));
  const ruleListings = new Counter({
    name: 'triage_blocklist_rule_listings_total',
    help: 'Blocklist changes by rules/blocklist.json: customers listed by a rule, listings lapsed unconfirmed.',
    labelNames: ['event'],
    registers: [metrics.registry],
  });
  const blocklisting = {
    history: repository,
    listings: blocklist,
    deadlines,
    events: repository,
    onListed: (listing: { customerId: string; complaintId: string; rule: string; reviewer: string }) => {
      ruleListings.inc({ event: 'listed' });
      logger.info(listing, 'customer blocklisted by a rule, pending its reviewer');
    },
  };

  const worker = new Worker<TriageJob>(
    pipelineJobQueues.triage,
    triageProcessor({
      rules,
      store: repository,
      sourcesAsOf: (at) => repository.triageSourcesAsOf(at),
      routeQueue,
      logger,
      observeEvaluation: (seconds) => evaluationSeconds.observe(seconds),
      blocklisting,
    }),
    {
      connection: workerRedis,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      ...workerLockOptions(config),
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'triage worker error'));
  observeWorker(metrics, pipelineJobQueues.triage, worker);
  observeQueueDepths(metrics, [routeQueue.queue]);
  worker.on('failed', (job, error) =>
    logger.warn(
      { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, requestId: job?.data.requestId },
      'triage job failed',
    ),
  );

  const deadlineWorker = new Worker<ListingDeadlineJob>(
    listingDeadlineQueueName,
    listingDeadlineProcessor({
      listings: blocklist,
      events: repository,
      logger,
      onLapsed: () => ruleListings.inc({ event: 'lapsed' }),
    }),
    { connection: workerRedis, prefix: config.QUEUE_PREFIX, concurrency: 4, ...workerLockOptions(config) },
  );
  deadlineWorker.on('error', (error) => logger.error({ err: error }, 'blocklist-lapse worker error'));
  deadlineWorker.on('failed', (job, error) =>
    logger.warn(
      { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade },
      'blocklist-lapse job failed',
    ),
  );

  // Auto-QA runs once per closed ticket: a couple at a time leaves the triage worker the cores.
  const qaWorker = new Worker<QaJob>(
    pipelineJobQueues.qa,
    qaProcessor({ rules, store: repository, sourcesAsOf: (at) => repository.factSourcesAsOf(at), logger }),
    { connection: workerRedis, prefix: config.QUEUE_PREFIX, concurrency: 2, ...workerLockOptions(config) },
  );
  qaWorker.on('error', (error) => logger.error({ err: error }, 'qa worker error'));
  observeWorker(metrics, pipelineJobQueues.qa, qaWorker);
  qaWorker.on('failed', (job, error) =>
    logger.warn(
      { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, requestId: job?.data.requestId },
      'qa job failed',
    ),
  );

  const watcher: RulesWatcher | undefined = config.RULES_WATCH
    ? watchRulesDirectory(rulesDir, {
        debounceMs: config.RULES_WATCH_DEBOUNCE_MS,
        reload: () => rules.reload(() => readRuleFiles(rulesDir)),
        logger,
      })
    : undefined;

  const ruleTools = new RuleToolThreads({
    budgetMs: config.RULES_TOOL_BUDGET_MS,
    maxThreads: config.RULES_TOOL_THREADS,
    logger,
  });
  const app = createApp({
    metrics,
    logger,
    apiKeys: config.API_KEYS,
    limits: {
      sendCommand: redisCommandsOf(producerRedis),
      // Counted per service, as intake counts its own.
      prefix: `${config.QUEUE_PREFIX}:worker`,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      perKey: config.RATE_LIMIT_PER_KEY,
      authFailures: config.RATE_LIMIT_AUTH_FAILURES,
    },
    trustProxy: config.TRUST_PROXY,
    rules,
    replayStore: repository,
    ruleTools,
    blocklist,
    listings: blocklist,
    complaintEvents: repository,
    watching: watcher !== undefined,
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      { name: 'redis', check: () => pingRedis(workerRedis) },
    ],
  });
  const server = await listen(app, config.WORKER_PORT, ...serverOptionsOf(config));
  const port = portOf(server);
  logger.info(
    { port, concurrency: config.WORKER_CONCURRENCY, watchingRules: watcher !== undefined },
    'worker listening',
  );

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    app,
    logger,
    rules,
    worker,
    deadlineWorker,
    qaWorker,
    stop: async () => {
      await watcher?.close();
      await closeServer(server);
      await ruleTools.close();
      await worker.close();
      await deadlineWorker.close();
      await qaWorker.close();
      await routeQueue.close();
      await deadlines.close();
      await closeRedis(workerRedis);
      await closeRedis(producerRedis);
      await mongo.close();
    },
  };
}
