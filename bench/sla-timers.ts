/**
 * SLA timer lateness with 100k timers pending, against the embedded infrastructure.
 *
 *   npx tsx bench/sla-timers.ts [--pending 100000] [--tickets 1000] [--window 60]
 *
 * 1. Baseline: a bare BullMQ queue with `--pending` delayed jobs due hours from now, plus
 *    `--tickets` × 2 delayed jobs due within the next `--window` seconds, and a worker that does
 *    nothing. Lateness = when the worker got the job − when it was due.
 * 2. The router: `--pending` SLA timers due hours from now in its `sla` queue (the real producer),
 *    then `--tickets` real tickets routed with first-response deadlines inside the window, so
 *    their warning and breach timers fire through the real processor (MongoDB update + events).
 *    Lateness = the `lateMs` the processor recorded in each `sla.*` event.
 * Both run with the same Redis and the same spread of due times.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadRouterConfig } from '../services/router/src/config';
import { startRouter } from '../services/router/src/service';
import { startEmbeddedInfra } from '../tools/embedded-infra';

const { values } = parseArgs({
  options: {
    pending: { type: 'string', default: '100000' },
    tickets: { type: 'string', default: '1000' },
    window: { type: 'string', default: '60' },
  },
});
const PENDING = Number(values.pending);
const TICKETS = Number(values.tickets);
const WINDOW_MS = Number(values.window) * 1000;
const HOUR = 3600_000;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}
const fmt = (s: ReturnType<typeof summary>) =>
  `p50 ${s.p50.toFixed(0)} ms  p99 ${s.p99.toFixed(0)} ms  max ${s.max.toFixed(0)} ms  (n=${s.n})`;

/** Due time of the i-th near timer: spread evenly over the window, starting 15 s from `t0`. */
const nearDue = (t0: number, i: number, count: number) =>
  t0 + 15_000 + Math.floor((i / count) * (WINDOW_MS - 15_000));

async function baseline(redisUrl: string, prefix: string): Promise<ReturnType<typeof summary>> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('bench-bare', { connection, prefix });
  const now = Date.now();
  for (let offset = 0; offset < PENDING; offset += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, PENDING - offset) }, (_, i) => ({
        name: 'far',
        data: { due: now + HOUR + offset + i },
        opts: { delay: HOUR + offset + i, jobId: `far-${offset + i}`, removeOnComplete: true },
      })),
    );
  }
  const t0 = Date.now();
  const count = TICKETS * 2;
  await queue.addBulk(
    Array.from({ length: count }, (_, i) => {
      const due = nearDue(t0, i, count);
      return {
        name: 'near',
        data: { due },
        opts: { delay: due - Date.now(), jobId: `near-${i}`, removeOnComplete: true },
      };
    }),
  );
  const lateness: number[] = [];
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new Worker(
    'bench-bare',
    async (job) => {
      lateness.push(Date.now() - (job.data as { due: number }).due);
      if (lateness.length === count) allDone();
    },
    { connection, prefix, concurrency: 16 },
  );
  worker.on('error', () => undefined);
  await finished;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return summary(lateness);
}

function triaged(i: number, t0: number): ComplaintRecord {
  const id = randomUUID();
  const receivedAt = new Date(t0);
  // Warning at 75 % and breach at 100 % of the first-response time, both inside the window.
  const breachAt = nearDue(t0, i, TICKETS) + 5_000;
  const firstResponseDueAt = new Date(Math.min(breachAt, t0 + WINDOW_MS));
  return {
    _id: id,
    source: 'bench',
    dedupeKey: `id:${id}`,
    customer: { id: `c-${i}`, tier: 'standard' },
    channel: 'web',
    body: 'bench',
    status: 'triaged',
    receivedAt,
    updatedAt: receivedAt,
    decision: {
      category: 'billing',
      severity: 'medium',
      priority: { score: 50, components: {} },
      slaPolicy: 'bench',
      calendar: 'always',
      firstResponseDueAt,
      resolutionDueAt: new Date(t0 + 24 * HOUR),
      queue: 'general',
      skills: [],
      tags: [],
      flags: [],
      rulesetVersion: 'bench',
      firedRules: [],
      decidedAt: receivedAt,
    },
    events: [],
  };
}

async function main(): Promise<void> {
  const infra = await startEmbeddedInfra(process.env, (message) => console.log(`[infra] ${message}`));
  const stamp = Date.now();
  try {
    console.log(`baseline: bare BullMQ, ${PENDING} far + ${TICKETS * 2} near delayed jobs, no-op worker…`);
    const bare = await baseline(infra.redisUrl, `{bench-bare-${stamp}}`);

    console.log(
      `router: ${PENDING} pending SLA timers + ${TICKETS} tickets due within ${WINDOW_MS / 1000} s…`,
    );
    const router = await startRouter(
      loadRouterConfig({
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        MONGO_URL: `${infra.mongoUrl.replace(/\/$/, '')}/bench-sla-${stamp}`,
        REDIS_URL: infra.redisUrl,
        QUEUE_PREFIX: `{bench-sla-${stamp}}`,
        ROUTER_PORT: '0',
        RULES_DIR: 'rules',
        MAINTENANCE_INTERVAL_MS: '0',
        NOTIFY_WEBHOOK_SECRET: 'bench-only-notify-secret',
      }),
      createLogger('router', 'silent'),
    );
    try {
      const addStart = performance.now();
      for (let offset = 0; offset < PENDING; offset += 1000) {
        await router.timers.scheduleSla(
          `far-${offset}`,
          1,
          Array.from({ length: Math.min(1000, PENDING - offset) }, (_, i) => ({
            phase: 'first-response' as const,
            key: `bench${i}`,
            kind: 'breach' as const,
            dueAt: new Date(Date.now() + HOUR + offset + i),
            actions: [],
          })),
        );
      }
      console.log(
        `  scheduled ${PENDING} pending timers in ${((performance.now() - addStart) / 1000).toFixed(1)} s`,
      );
      const t0 = Date.now();
      const docs = Array.from({ length: TICKETS }, (_, i) => triaged(i, t0));
      await router.tickets.model.insertMany(docs, { lean: true });
      for (const doc of docs) await router.desk.routeTriaged(doc._id, undefined);
      console.log(`  routed ${TICKETS} tickets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const expected = TICKETS * 2; // warning + breach each (the breach+120m step stays pending)
      let fired = 0;
      await new Promise<void>((resolve) => {
        const onCompleted = (_job: unknown, result: unknown) => {
          if (result === 'fired' && ++fired === expected) {
            router.slaWorker.off('completed', onCompleted);
            resolve();
          }
        };
        router.slaWorker.on('completed', onCompleted);
      });
      const events = await router.tickets.model.aggregate<{ lateMs: number }>([
        { $match: { _id: { $in: docs.map((doc) => doc._id) } } },
        { $unwind: '$events' },
        { $match: { 'events.type': { $in: ['sla.warning', 'sla.breached'] } } },
        { $project: { _id: 0, lateMs: '$events.data.lateMs' } },
      ]);
      const routerLateness = summary(events.map((event) => event.lateMs));
      const pendingNow = await router.timers.sla.getDelayedCount();
      console.log('');
      console.log(`MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}`);
      console.log(`bare BullMQ delayed job, no work:  lateness ${fmt(bare)}`);
      console.log(`router SLA timer (warning/breach): lateness ${fmt(routerLateness)}`);
      console.log(
        `ratio router/bare: p99 ×${(routerLateness.p99 / Math.max(1, bare.p99)).toFixed(1)}; timers still pending: ${pendingNow}`,
      );
      console.log(`target: none late by more than 2 s: ${routerLateness.max <= 2000 ? 'met' : 'MISSED'}`);
      await router.timers.sla.obliterate({ force: true });
    } finally {
      await router.stop();
    }
  } finally {
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
