import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatRuleError, loadRuleset } from '@triage/rules';
import { createLogger, type Logger } from '@triage/shared/kernel';
import { pipelineJobQueues, type RouteJob, workerLockOptions } from '@triage/shared/jobs';
import { formatSourceMappingError, loadSourceMappings, type OutboundHook } from '@triage/shared/sources';
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
  redisReady,
  watchRulesDirectory,
  type RulesWatcher,
} from '@triage/shared/infra';
import { Queue, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { createApp } from './app';
import type { RouterConfig } from './config';
import { CustomerHistoryReader } from './data-access/customer-history-reader';
import { OutcomeRepository } from './data-access/outcome-repository';
import { AgentRepository } from './data-access/agent-repository';
import { ClaimIndex } from './data-access/claim-index';
import {
  RouterTimers,
  routerJobQueues,
  type CrmJob,
  type FollowUpJob,
  type LeaseJob,
  type NotifyJob,
  type SlaTimerJob,
} from './data-access/router-timers';
import { BullAutoQaQueue } from './data-access/auto-qa-queue';
import { CrmDeliveries } from './data-access/crm-deliveries';
import { SurveyTokens } from './data-access/survey-tokens';
import { ReportRepository } from './data-access/report-repository';
import { ReviewRepository } from './data-access/review-repository';
import { requestReview, type ReviewDeps } from './domain/qa-reviews';
import { scorecardScoring } from './domain/qa-scoring';
import { TicketRepository } from './data-access/ticket-repository';
import { TicketReadModel } from './data-access/ticket-read-model';
import { WebhookSender } from './data-access/webhook-sender';
import { startRateMonitor, type RateMonitor } from './rate-monitor';
import { slaTimerKindOf } from './domain/sla-timer-kinds';
import { TicketDesk } from './domain/ticket-desk';
import { crmProcessor } from './entry-points/queue/crm-processor';
import { followUpProcessor } from './entry-points/queue/follow-up-processor';
import { leaseProcessor } from './entry-points/queue/lease-processor';
import { notifyProcessor } from './entry-points/queue/notify-processor';
import { routeProcessor } from './entry-points/queue/route-processor';
import { slaProcessor } from './entry-points/queue/sla-processor';
import type { Express } from 'express';

export interface RunningRouter {
  port: number;
  url: string;
  /** The express app (tests compare its routes with the OpenAPI document). */
  app: Express;
  logger: Logger;
  agents: AgentRepository;
  tickets: TicketRepository;
  claimIndex: ClaimIndex;
  desk: TicketDesk;
  timers: RouterTimers;
  routeWorker: Worker<RouteJob>;
  slaWorker: Worker<SlaTimerJob>;
  leaseWorker: Worker<LeaseJob>;
  notifyWorker: Worker<NotifyJob>;
  followUpWorker: Worker<FollowUpJob>;
  crmWorker: Worker<CrmJob>;
  /** Complaint-rate counts, spike alerts and their job queue. */
  rateMonitor: RateMonitor;
  /** queues.json reloads: `reloaded` (queue ids) or `rejected` (errors; the old queues stay). */
  rulesReloads: EventEmitter<{ reloaded: [string[]]; rejected: [string[]] }>;
  stop: () => Promise<void>;
}

/** The outgoing CRM webhooks by source; a broken mapping file is logged and left out (intake refuses it too). */
async function loadCrmHooks(rulesDir: string, logger: Logger): Promise<Map<string, OutboundHook>> {
  const loaded = await loadSourceMappings(path.join(rulesDir, 'sources'));
  if (loaded.errors.length > 0)
    logger.warn(
      { errors: loaded.errors.map(formatSourceMappingError) },
      'source mappings with errors skipped',
    );
  const hooks = new Map<string, OutboundHook>();
  for (const [source, mapping] of loaded.mappings) if (mapping.outbound) hooks.set(source, mapping.outbound);
  return hooks;
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
  // queues.json as last loaded; replaced by a reload only once the whole ruleset validates.
  let queueConfig = compiled.ruleset.queues;
  const agentQueues = () => queueConfig.queues;
  let resolutionCodes = compiled.ruleset.resolutionCodes;
  let calendars = compiled.ruleset.calendars;
  // rules/sources/*.json `outbound`: where each CRM hears of its complaints' status changes.
  let crmHooks = await loadCrmHooks(rulesDir, logger);
  let complaintRates = compiled.ruleset.complaintRates;
  let qaSampling = compiled.ruleset.qaSampling;
  let qaScorecards = compiled.ruleset.qaScorecards;

  const mongo = await connectMongo(config.MONGO_URL, logger);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger, 'router-consumer');
  const producerRedis = createRedis(config.REDIS_URL, 'producer', logger, 'router-producer');
  const metrics = createServiceMetrics('router');
  const slaEvents = new Counter({
    name: 'triage_sla_events_total',
    help: 'SLA ladder steps fired: warning, breach, escalation (later steps), by phase.',
    labelNames: ['kind', 'phase'],
    registers: [metrics.registry],
  });
  const claimIndex = new ClaimIndex(producerRedis, config.QUEUE_PREFIX);
  const tickets = new TicketRepository(mongo, { index: claimIndex, logger });
  await tickets.ensureIndexes();
  const agents = new AgentRepository(mongo);
  await agents.ensureIndexes();
  const reviews = new ReviewRepository(mongo);
  await reviews.ensureIndexes();
  const reviewDeps: ReviewDeps = {
    reviews,
    tickets,
    scoring: scorecardScoring(() => qaScorecards),
    plan: () => qaSampling,
    now: () => new Date(),
  };
  if (config.SEED_AGENTS_FILE) {
    const seeded = await agents.seedFromFile(await readFile(config.SEED_AGENTS_FILE, 'utf8'));
    logger.info({ file: config.SEED_AGENTS_FILE, agents: seeded }, 'agents seeded');
  }

  const timers = new RouterTimers(producerRedis, config.QUEUE_PREFIX, {
    attempts: config.NOTIFY_ATTEMPTS,
    backoffMs: config.NOTIFY_BACKOFF_MS,
    crmAttempts: config.CRM_WEBHOOK_ATTEMPTS,
    crmBackoffMs: config.CRM_WEBHOOK_BACKOFF_MS,
  });
  for (const queue of [timers.sla, timers.lease, timers.notifications, timers.followUps, timers.crm]) {
    queue.on('error', (error) => logger.warn({ err: error, queue: queue.name }, 'router queue error'));
  }
  const surveys = new SurveyTokens(config.SESSION_SECRET, config.SURVEY_BASE_URL, config.SURVEY_TTL_MS);
  const autoQa = new BullAutoQaQueue(producerRedis, config.QUEUE_PREFIX);
  autoQa.queue.on('error', (error) =>
    logger.warn({ err: error, queue: autoQa.queue.name }, 'router queue error'),
  );
  const desk = new TicketDesk({
    requestQaReview: (complaint) => requestReview(reviewDeps, complaint),
    tickets,
    agents,
    timers,
    outcomes: new OutcomeRepository(mongo),
    queues: agentQueues,
    defaultQueue: () => queueConfig.defaultQueue,
    calendars: () => calendars,
    crmHooks: () => crmHooks,
    surveys,
    autoQa,
    leaseMs: config.LEASE_MS,
    counterQuietMs: config.CAPACITY_COUNTER_QUIET_MS,
    logger,
  });
  const sender = new WebhookSender(config.NOTIFY_WEBHOOK_SECRET, config.NOTIFY_TIMEOUT_MS);
  // The claim index may have been lost with Redis (or never built): rebuild what is missing now,
  // not only at the next sweep. Without Redis claims still work, from MongoDB (ADR 0006).
  if (await redisReady(producerRedis, 5_000)) {
    const repair = await tickets
      .reconcileClaimIndex()
      .catch((error: unknown) => logger.warn({ err: error }, 'claim index not rebuilt at start'));
    if (repair) logger.info(repair, 'claim index checked against the stored tickets');
  } else {
    logger.warn('redis not ready at start; the claim index is rebuilt by the next sweep');
  }

  const common = { connection: workerRedis, prefix: config.QUEUE_PREFIX, ...workerLockOptions(config) };
  const workers: Worker[] = [];
  const watch = <W extends Worker>(worker: W, label: string): W => {
    worker.on('error', (error) => logger.error({ err: error, queue: label }, 'router worker error'));
    worker.on('failed', (job, error) =>
      logger.warn(
        { err: error, queue: label, jobId: job?.id, attemptsMade: job?.attemptsMade },
        'router job failed',
      ),
    );
    workers.push(worker);
    observeWorker(metrics, label, worker);
    return worker;
  };
  const routeWorker = watch(
    new Worker<RouteJob>(pipelineJobQueues.route, routeProcessor({ desk, logger }), {
      ...common,
      concurrency: config.ROUTE_CONCURRENCY,
    }),
    'route',
  );
  const slaWorker = watch(
    new Worker<SlaTimerJob>(routerJobQueues.sla, slaProcessor({ desk, logger }), {
      ...common,
      concurrency: config.SLA_CONCURRENCY,
    }),
    'sla',
  );
  const leaseWorker = watch(
    new Worker<LeaseJob>(routerJobQueues.lease, leaseProcessor({ desk, logger }), {
      ...common,
      concurrency: 8,
    }),
    'lease',
  );
  const notifyWorker = watch(
    new Worker<NotifyJob>(routerJobQueues.notify, notifyProcessor({ sender, tickets, logger }), {
      ...common,
      concurrency: 8,
    }),
    'notify',
  );
  const followUpWorker = watch(
    new Worker<FollowUpJob>(routerJobQueues.followUp, followUpProcessor({ desk, logger }), {
      ...common,
      concurrency: 8,
    }),
    'follow-up',
  );
  const crmWorker = watch(
    new Worker<CrmJob>(routerJobQueues.crm, crmProcessor({ sender, tickets, logger }), {
      ...common,
      concurrency: 8,
    }),
    'crm',
  );

  // The safety net: one job scheduler shared by every router process (same id), so the sweep
  // runs once per interval across the fleet, not once per process.
  let maintenance: Queue | undefined;
  if (config.MAINTENANCE_INTERVAL_MS > 0) {
    maintenance = new Queue(routerJobQueues.maintenance, {
      connection: producerRedis,
      prefix: config.QUEUE_PREFIX,
    });
    maintenance.on('error', (error) => logger.warn({ err: error }, 'maintenance queue error'));
    await maintenance.upsertJobScheduler(
      'router-sweep',
      { every: config.MAINTENANCE_INTERVAL_MS },
      { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
    );
    watch(
      new Worker(
        routerJobQueues.maintenance,
        async () => {
          const result = await desk.sweep();
          if (Object.values(result).some((count) => count > 0)) logger.info(result, 'maintenance sweep');
          return result;
        },
        { ...common, concurrency: 1 },
      ),
      'maintenance',
    );
  }

  const rateMonitor = await startRateMonitor({
    mongo,
    producerRedis,
    prefix: config.QUEUE_PREFIX,
    workerOptions: common,
    everyMs: config.RATE_MONITOR_INTERVAL_MS,
    settings: () => complaintRates,
    notify: (request) => timers.notify(request),
    metrics,
    logger,
    watch,
  });

  slaWorker.on('completed', (job, outcome) => {
    if (outcome !== 'fired') return;
    slaEvents.inc({ kind: slaTimerKindOf(job.data.key), phase: job.data.phase });
  });
  // Queues shown on bull-board and measured for /metrics: the whole pipeline.
  const watchedPipelineQueues = [pipelineJobQueues.triage, pipelineJobQueues.route].map(
    (name) => new Queue(name, { connection: producerRedis, prefix: config.QUEUE_PREFIX }),
  );
  for (const queue of watchedPipelineQueues)
    queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  const boardJobQueues = [
    ...watchedPipelineQueues,
    autoQa.queue,
    timers.sla,
    timers.lease,
    timers.notifications,
    timers.followUps,
    timers.crm,
    rateMonitor.queue.queue,
    ...(maintenance ? [maintenance] : []),
  ];
  observeQueueDepths(metrics, boardJobQueues);

  const app = createApp({
    metrics,
    boardJobQueues,
    reports: new ReportRepository(mongo),
    logger,
    apiKeys: config.API_KEYS,
    limits: {
      sendCommand: redisCommandsOf(producerRedis),
      // Counted per service, as intake counts its own.
      prefix: `${config.QUEUE_PREFIX}:router`,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      perKey: config.RATE_LIMIT_PER_KEY,
      authFailures: config.RATE_LIMIT_AUTH_FAILURES,
    },
    trustProxy: config.TRUST_PROXY,
    session: {
      secret: config.SESSION_SECRET,
      ttlMs: config.SESSION_TTL_MS,
      secureCookie: config.SESSION_COOKIE_SECURE,
    },
    desk,
    crmDeliveries: new CrmDeliveries(timers.crm),
    surveys,
    views: new TicketReadModel(tickets.model),
    review: reviewDeps,
    customerHistory: new CustomerHistoryReader(mongo),
    agents,
    queues: agentQueues,
    resolutionCodes: () => resolutionCodes,
    rateMonitor: { rates: rateMonitor.rates, alerts: rateMonitor.alerts, settings: () => complaintRates },
    probes: [
      { name: 'mongodb', check: () => pingMongo(mongo) },
      { name: 'redis', check: () => pingRedis(workerRedis) },
    ],
  });
  const server = await listen(app, config.ROUTER_PORT, ...serverOptionsOf(config));
  const port = portOf(server);
  logger.info({ port, queues: agentQueues().map((q) => q.id) }, 'router listening');

  const rulesReloads = new EventEmitter<{ reloaded: [string[]]; rejected: [string[]] }>();
  const watcher: RulesWatcher | undefined = config.RULES_WATCH
    ? watchRulesDirectory(rulesDir, {
        debounceMs: config.RULES_WATCH_DEBOUNCE_MS,
        logger,
        reload: async () => {
          const next = await loadRuleset(rulesDir);
          if (!next.ok) {
            const errors = next.errors.map(formatRuleError);
            logger.error({ errors }, 'rules rejected; the router keeps its queues');
            rulesReloads.emit('rejected', errors);
            return;
          }
          queueConfig = next.ruleset.queues;
          resolutionCodes = next.ruleset.resolutionCodes;
          calendars = next.ruleset.calendars;
          crmHooks = await loadCrmHooks(rulesDir, logger);
          complaintRates = next.ruleset.complaintRates;
          qaSampling = next.ruleset.qaSampling;
          qaScorecards = next.ruleset.qaScorecards;
          const ids = agentQueues().map((queue) => queue.id);
          logger.info({ queues: ids }, 'queues reloaded');
          rulesReloads.emit('reloaded', ids);
        },
      })
    : undefined;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    app,
    logger,
    agents,
    tickets,
    claimIndex,
    desk,
    timers,
    routeWorker,
    slaWorker,
    leaseWorker,
    notifyWorker,
    followUpWorker,
    crmWorker,
    rateMonitor,
    rulesReloads,
    stop: async () => {
      await watcher?.close();
      await closeServer(server);
      await Promise.all(workers.map((worker) => worker.close()));
      await timers.close();
      await rateMonitor.close();
      await autoQa.close();
      await Promise.all(watchedPipelineQueues.map((queue) => queue.close()));
      await maintenance?.close();
      await closeRedis(workerRedis);
      await closeRedis(producerRedis);
      await mongo.close();
    },
  };
}
