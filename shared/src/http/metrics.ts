import type { RequestHandler } from 'express';
import { Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one service. Each service (and each test app) owns its Registry,
 * so several apps in one process never collide.
 */
export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  jobsProcessed: Counter<'queue'>;
  jobsFailed: Counter<'queue' | 'final'>;
  jobsRetried: Counter<'queue'>;
  queueDepth: Gauge<'queue' | 'state'>;
  /** Queues whose depth is read at scrape time (see observeQueueDepths). */
  observedQueues: CountableQueue[];
}

interface CountableQueue {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'];

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'triage_' });
  const observedQueues: CountableQueue[] = [];
  return {
    observedQueues,
    registry,
    httpRequestDuration: new Histogram({
      name: 'triage_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'triage_jobs_processed_total',
      help: 'BullMQ jobs completed by this process.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: 'triage_jobs_failed_total',
      help: 'BullMQ job attempts that failed; final="true" when no retry is left.',
      labelNames: ['queue', 'final'],
      registers: [registry],
    }),
    jobsRetried: new Counter({
      name: 'triage_jobs_retried_total',
      help: 'BullMQ job attempts that failed and will be retried.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'triage_queue_jobs',
      help: 'Jobs per BullMQ queue and state, read at scrape time.',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        await Promise.all(
          observedQueues.map(async (queue) => {
            try {
              const counts = await queue.getJobCounts(...QUEUE_STATES);
              for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
            } catch {
              // Redis away: keep the last values rather than failing the scrape.
            }
          }),
        );
      },
    }),
  };
}

/** Times every request; the route label is the matched pattern, never the raw URL. */
export function httpMetrics(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

/** Anything with BullMQ-like worker events. */
interface WorkerEvents {
  on(event: 'completed', listener: () => void): unknown;
  on(
    event: 'failed',
    listener: (job: { attemptsMade: number; opts: { attempts?: number } } | undefined) => void,
  ): unknown;
}

/** Counts a BullMQ worker's completed, failed and retried jobs. */
export function observeWorker(metrics: ServiceMetrics, queue: string, worker: WorkerEvents): void {
  worker.on('completed', () => metrics.jobsProcessed.inc({ queue }));
  worker.on('failed', (job) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobsFailed.inc({ queue, final: String(final) });
    if (!final) metrics.jobsRetried.inc({ queue });
  });
}

/** Reads these queues' depths when Prometheus scrapes. */
export function observeQueueDepths(metrics: ServiceMetrics, queues: CountableQueue[]): void {
  metrics.observedQueues.push(...queues);
}

/** GET /metrics in the Prometheus text format. */
export function metricsRouter(metrics: ServiceMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
