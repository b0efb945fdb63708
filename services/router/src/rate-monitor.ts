import type { ComplaintRatesFile } from '@triage/rules';
import type { ServiceMetrics } from '@triage/shared/http';
import type { Logger } from '@triage/shared/kernel';
import { Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { Counter, Gauge } from 'prom-client';
import { ComplaintRateRepository } from './data-access/complaint-rate-repository';
import { RateAlertRepository } from './data-access/rate-alert-repository';
import {
  RateMonitorQueue,
  rateMonitorQueueName,
  type RateMonitorJob,
} from './data-access/rate-monitor-queue';
import type { NotifyRequest } from './domain/ports';
import { rateMonitorProcessor } from './entry-points/queue/rate-monitor-processor';

/** Complaint-rate monitoring as the router runs it: stores, job queue, worker, metrics. */
export interface RateMonitor {
  rates: ComplaintRateRepository;
  alerts: RateAlertRepository;
  queue: RateMonitorQueue;
  worker: Worker<RateMonitorJob>;
  close: () => Promise<void>;
}

export interface RateMonitorOptions {
  mongo: Connection;
  producerRedis: Redis;
  prefix: string;
  /** The router's common worker options (connection, prefix, locks). */
  workerOptions: WorkerOptions;
  /** RATE_MONITOR_INTERVAL_MS: how often the count runs; 0 = only on demand. */
  everyMs: number;
  settings: () => ComplaintRatesFile;
  notify: (request: NotifyRequest) => Promise<void>;
  metrics: ServiceMetrics;
  logger: Logger;
  /** The router's worker bookkeeping (error logging, metrics, closing on stop). */
  watch: <W extends Worker>(worker: W, label: string) => W;
}

export async function startRateMonitor(options: RateMonitorOptions): Promise<RateMonitor> {
  const { mongo, metrics, logger } = options;
  const rates = new ComplaintRateRepository(mongo);
  const alerts = new RateAlertRepository(mongo);
  await Promise.all([rates.ensureIndexes(), alerts.ensureIndexes()]);
  const raised = new Counter({
    name: 'triage_complaint_rate_alerts_total',
    help: 'Complaint-rate spikes raised (once per bucket, dimension and value, fleet-wide).',
    labelNames: ['period', 'dimension'],
    registers: [metrics.registry],
  });
  new Gauge({
    name: 'triage_complaint_rate_open_alerts',
    help: 'Complaint-rate alerts open now (the dashboard banner), by period and dimension.',
    labelNames: ['period', 'dimension'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const open = await alerts.open(new Date(), 1000).catch(() => []);
      for (const alert of open) this.inc({ period: alert.period, dimension: alert.dimension });
    },
  });
  const queue = new RateMonitorQueue(options.producerRedis, options.prefix);
  queue.queue.on('error', (error) => logger.warn({ err: error }, 'complaint-rates queue error'));
  const worker = options.watch(
    new Worker<RateMonitorJob>(
      rateMonitorQueueName,
      rateMonitorProcessor({
        rates,
        alerts,
        settings: options.settings,
        notify: options.notify,
        onRaised: (alert) => raised.inc({ period: alert.period, dimension: alert.dimension }),
        logger,
      }),
      { ...options.workerOptions, concurrency: 1 },
    ),
    'complaint-rates',
  );
  await queue.schedule(options.everyMs);
  return { rates, alerts, queue, worker, close: () => queue.close() };
}
