/**
 * Pipeline throughput: signed webhooks into intake, through the worker and the router, until
 * every complaint is `queued` — against the floor, the bare store-and-queue work a complaint
 * needs, measured on the same MongoDB and Redis in the same run (docs/benchmarks.md).
 *
 * For each number of complaints already stored (default 1,000 and 50,000, inserted directly with
 * realistic customers so that history facts find something):
 * - floor: insert, add a job; a worker reads and updates the document and adds a second job; a
 *   second worker updates it. No logic, in this process, same concurrency as the services.
 * - product: intake, worker and router as child processes (1 and 2 workers and routers), the
 *   complaints sent as signed generic-crm webhooks `--inflight` at a time (saturation), then
 *   at half the saturated rate, open loop (latency intake → queued, counted from when a
 *   delivery was due). Per-stage times come from the complaints' own events; CPU per complaint
 *   from /proc for every process (services, MongoDB, Redis).
 *
 *   npx tsx bench/pipeline-throughput.ts [--quick] [--sizes 1000,50000] [--count 1000]
 *                                        [--replicas 1,2] [--inflight 32] [--half-seconds 15]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { defaultJobOptions } from '@triage/shared/jobs';
import { signWebhook } from '@triage/shared/http';
import { complaintModel } from '@triage/shared/infra';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { freePort, startEmbeddedInfra } from '../tools/embedded-infra';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    count: { type: 'string' },
    replicas: { type: 'string' },
    inflight: { type: 'string', default: '32' },
    'half-seconds': { type: 'string' },
    'max-seconds': { type: 'string', default: '120' },
  },
});
const QUICK = values.quick === true;
const SIZES = (values.sizes ?? '1000,50000').split(',').map(Number);
const COUNT = Number(values.count ?? (QUICK ? 300 : 1000));
const REPLICAS = (values.replicas ?? (QUICK ? '1' : '1,2')).split(',').map(Number);
const INFLIGHT = Number(values.inflight);
const HALF_SECONDS = Number(values['half-seconds'] ?? (QUICK ? 8 : 15));
const MAX_MS = Number(values['max-seconds']) * 1000;
const WARMUP = 50;
const FLOOR_WARMUP = 300;
const CONCURRENCY = 8;
const ROOT = path.resolve(__dirname, '..');
const SECRET = 'bench-webhook-secret-0000000001';
const CLOCK_TICK_MS =
  1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

const BODIES = [
  'I was charged twice for the same order and nobody answers my e-mails.',
  'My refund was promised three weeks ago and still has not arrived. This is fraud.',
  '我的账户被冻结了，客服一直不回复，我要投诉。',
  'The app crashes every time I try to pay my credit card bill.',
  'Your agent was rude and hung up on me. I want to close my account.',
  'The interest rate on my loan changed without any notice.',
  'Delivery was late again and the package arrived damaged.',
  '退款申请提交了很久没有处理，请尽快解决。',
];
const CHANNELS = ['E-mail', 'Phone', 'WeChat', 'Web'];
const TIERS = ['Gold', 'Silver', 'VIP', 'Standard'];

const say = (message: string) => process.stdout.write(`${message}\n`);
const loadAverage = () => os.loadavg()[0]!.toFixed(2);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}
function quantiles(samples: number[]): { n: number; p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}
const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;

/** CPU time (user + system) of a process so far, in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0;
  }
}

/** The pid listening on a loopback port (the stand-in's JVM, redis-server). */
function listenerPid(port: string): number | undefined {
  const out = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

/* ------------------------------------------------------------ stored complaints */

function customerOf(index: number, customers: number): string {
  return `cust-${index % customers}`;
}

/** `size` complaints over the last 60 days, ~10 a customer, most of them resolved or closed. */
async function populate(mongoUrl: string, size: number, customers: number): Promise<void> {
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  try {
    const model = complaintModel(connection);
    await model.createCollection().catch(() => undefined);
    await model.createIndexes();
    const statuses = [
      'closed',
      'closed',
      'resolved',
      'resolved',
      'closed',
      'in_progress',
      'waiting_customer',
    ];
    const now = Date.now();
    for (let start = 0; start < size; start += 1000) {
      const batch: ComplaintRecord[] = [];
      for (let i = start; i < Math.min(size, start + 1000); i++) {
        const receivedAt = new Date(now - 60 * 86_400_000 + Math.floor((i / size) * 60 * 86_400_000));
        const id = randomUUID();
        batch.push({
          _id: id,
          externalId: `S-${i}`,
          source: 'generic-crm',
          dedupeKey: `ext:generic-crm:S-${i}`,
          customer: { id: customerOf(i * 7919, customers), tier: 'gold' },
          channel: 'email',
          subject: 'Stored complaint',
          body: BODIES[i % BODIES.length]!,
          status: statuses[i % statuses.length] as ComplaintRecord['status'],
          receivedAt,
          updatedAt: receivedAt,
          events: [{ type: 'received', at: receivedAt, actor: 'bench' }],
        } as ComplaintRecord);
      }
      await model.collection.insertMany(batch as never[], { ordered: false });
    }
  } finally {
    await connection.close();
  }
}

/* ------------------------------------------------------------ floor */

interface RunResult {
  rate: number;
  done: number;
  seconds: number;
}

/** Bare store-and-queue work of `count` complaints, `INFLIGHT` producers, two workers. */
async function measureFloor(mongoUrl: string, redisUrl: string, count: number): Promise<RunResult> {
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  const collection = complaintModel(connection).collection;
  const prefix = `{floor-${randomUUID().slice(0, 8)}}`;
  const redis = () => new Redis(redisUrl, { maxRetriesPerRequest: null });
  const producer = redis();
  const first = new Queue('floor-a', { connection: producer, prefix, defaultJobOptions });
  const second = new Queue('floor-b', { connection: producer, prefix, defaultJobOptions });
  const connections = [producer];
  const workerA = new Worker<{ id: string }>(
    'floor-a',
    async (job) => {
      const doc = await collection.findOne({ _id: job.data.id } as never);
      if (!doc) throw new Error('missing');
      await collection.updateOne({ _id: job.data.id } as never, {
        $set: { status: 'triaged', updatedAt: new Date() },
      });
      await second.add('b', { id: job.data.id }, { jobId: `b-${job.data.id}` });
    },
    { connection: connections[connections.push(redis()) - 1]!, prefix, concurrency: CONCURRENCY },
  );
  let completed = 0;
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
  const workerB = new Worker<{ id: string }>(
    'floor-b',
    async (job) => {
      await collection.updateOne({ _id: job.data.id } as never, {
        $set: { status: 'queued', updatedAt: new Date() },
      });
    },
    { connection: connections[connections.push(redis()) - 1]!, prefix, concurrency: CONCURRENCY },
  );
  workerB.on('completed', () => {
    completed++;
    if (completed === target) resolveAll();
  });
  let target = WARMUP;
  const send = async (total: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: INFLIGHT }, async () => {
        while (next < total) {
          next++;
          const id = randomUUID();
          const now = new Date();
          await collection.insertOne({
            _id: id,
            source: 'bench',
            dedupeKey: `floor:${id}`,
            customer: { id: customerOf(next, 100) },
            channel: 'email',
            body: BODIES[next % BODIES.length],
            status: 'received',
            receivedAt: now,
            updatedAt: now,
            events: [{ type: 'received', at: now }],
          } as never);
          await first.add('a', { id }, { jobId: `a-${id}` });
        }
      }),
    );
  };
  // The floor is fast: a longer warm-up and run than the product's, or JIT and noise dominate.
  target = FLOOR_WARMUP;
  await send(FLOOR_WARMUP);
  await allDone;
  completed = 0;
  target = count;
  const done = new Promise<void>((resolve) => (resolveAll = resolve));
  const started = performance.now();
  await send(count);
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, MAX_MS))]);
  const seconds = (performance.now() - started) / 1000;
  await workerA.close();
  await workerB.close();
  await first.obliterate({ force: true }).catch(() => undefined);
  await second.obliterate({ force: true }).catch(() => undefined);
  await first.close();
  await second.close();
  for (const client of connections) client.disconnect();
  await collection.deleteMany({ source: 'bench' });
  await connection.close();
  return { rate: completed / seconds, done: completed, seconds };
}

/* ------------------------------------------------------------ product */

interface Service {
  name: string;
  child: ChildProcess;
  url: string;
}

async function startService(
  name: 'intake' | 'worker' | 'router',
  env: Record<string, string>,
): Promise<Service> {
  const port = await freePort();
  const portKey = { intake: 'INTAKE_PORT', worker: 'WORKER_PORT', router: 'ROUTER_PORT' }[name];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'services', name, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, [portKey]: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const ready = await fetch(`${url}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { name, child, url };
    if (Date.now() > deadline) throw new Error(`${name} was not ready within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stopService(service: Service): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface ProductResult extends RunResult {
  half: { rate: number; n: number; p50: number; p99: number; done: number };
  stages: Record<string, { p50: number; p99: number }>;
  cpuPerComplaint: Record<string, number>;
}

async function measureProduct(
  mongoUrl: string,
  redisUrl: string,
  infraPids: Record<string, number | undefined>,
  replicas: number,
  customers: number,
): Promise<ProductResult> {
  const prefix = `{pipe-${randomUUID().slice(0, 8)}}`;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MONGO_URL: mongoUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    API_KEYS: 'bench-admin-key-0000000000000001:admin:bench',
    SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
    WEBHOOK_SECRETS: `generic-crm:${SECRET}`,
    NOTIFY_WEBHOOK_SECRET: 'bench-notify-secret-000001',
    RATE_LIMIT_PER_SOURCE: '100000000',
    RATE_LIMIT_PER_KEY: '100000000',
    RULES_DIR: path.join(ROOT, 'rules'),
    RULES_WATCH: 'false',
  };
  const services: Service[] = [await startService('intake', env)];
  for (let i = 0; i < replicas; i++) {
    services.push(await startService('worker', env), await startService('router', env));
  }
  const intakeUrl = services[0]!.url;
  const eventsConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const routeEvents = new QueueEvents('route', { connection: eventsConnection, prefix });
  await routeEvents.waitUntilReady();
  const dueAt = new Map<string, number>();
  const latencies: number[] = [];
  // A complaint can be queued before intake's answer reaches us (intake answers after the add).
  const finishedEarly = new Map<string, number>();
  let completed = 0;
  let lastCompletion = 0;
  let target = Infinity;
  let resolveTarget: () => void = () => undefined;
  routeEvents.on('completed', ({ jobId }) => {
    const id = jobId.replace(/^route-/, '');
    const due = dueAt.get(id);
    if (due === undefined) {
      finishedEarly.set(id, performance.now());
      return;
    }
    dueAt.delete(id);
    finished(performance.now() - due);
  });
  function finished(latency: number) {
    latencies.push(latency);
    lastCompletion = performance.now();
    completed++;
    if (completed >= target) resolveTarget();
  }
  const waitFor = (count: number) => {
    target = count;
    return Promise.race([
      new Promise<void>((resolve) => {
        resolveTarget = resolve;
        if (completed >= count) resolve();
      }),
      new Promise<void>((resolve) => setTimeout(resolve, MAX_MS)),
    ]);
  };
  let serial = 0;
  const ids: string[] = [];
  const deliver = async (due: number) => {
    serial++;
    const raw = JSON.stringify({
      id: `B-${prefix}-${serial}`,
      customer: {
        id: customerOf(serial * 31, customers),
        name: 'Bench Customer',
        tier: TIERS[serial % TIERS.length],
      },
      channel: CHANNELS[serial % CHANNELS.length],
      priority: 'P2',
      subject: 'Complaint',
      description: BODIES[serial % BODIES.length],
      language: 'en',
      createdAt: new Date().toISOString(),
      tags: ['web-order'],
    });
    const response = await fetch(`${intakeUrl}/v1/webhooks/generic-crm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-triage-signature': signWebhook(SECRET, raw) },
      body: raw,
    });
    const body = (await response.json()) as { id?: string };
    if (response.status !== 202 || !body.id) throw new Error(`intake answered ${response.status}`);
    ids.push(body.id);
    const early = finishedEarly.get(body.id);
    if (early === undefined) dueAt.set(body.id, due);
    else {
      finishedEarly.delete(body.id);
      finished(early - due);
    }
  };
  const closedLoop = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: INFLIGHT }, async () => {
        while (next < count) {
          next++;
          await deliver(performance.now());
        }
      }),
    );
  };

  // Warm-up: JITs in every process, connection pools, the stand-in's JVM.
  await closedLoop(WARMUP);
  await waitFor(WARMUP);
  completed = 0;
  latencies.length = 0;
  ids.length = 0;

  const cpuBefore = new Map<string, number>();
  const pids: Record<string, number[]> = { MongoDB: [], Redis: [], intake: [], worker: [], router: [] };
  for (const service of services) pids[service.name]!.push(service.child.pid!);
  if (infraPids.mongo) pids.MongoDB!.push(infraPids.mongo);
  if (infraPids.redis) pids.Redis!.push(infraPids.redis);
  for (const [name, list] of Object.entries(pids))
    cpuBefore.set(
      name,
      list.map(cpuMs).reduce((a, b) => a + b, 0),
    );

  const started = performance.now();
  await closedLoop(COUNT);
  await waitFor(COUNT);
  const seconds = ((completed === COUNT ? lastCompletion : performance.now()) - started) / 1000;
  const done = completed;
  const rate = done / seconds;
  const cpuPerComplaint: Record<string, number> = {};
  for (const [name, list] of Object.entries(pids)) {
    cpuPerComplaint[name] =
      (list.map(cpuMs).reduce((a, b) => a + b, 0) - cpuBefore.get(name)!) / Math.max(1, done);
  }

  // Half load, open loop: a delivery every 1/(rate/2) s; latency counts from when it was due.
  completed = 0;
  latencies.length = 0;
  ids.length = 0;
  dueAt.clear();
  const halfRate = Math.max(1, rate / 2);
  const halfCount = Math.max(20, Math.round(halfRate * HALF_SECONDS));
  const interval = 1000 / halfRate;
  const halfStarted = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < halfCount; i++) {
    const due = halfStarted + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(deliver(due));
  }
  await Promise.all(sends);
  await waitFor(halfCount);
  const half = { rate: halfRate, ...quantiles(latencies), done: completed };

  // Per stage, from the events the services stored with each half-load complaint.
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  const stageSamples: Record<string, number[]> = {
    'received → enqueued (intake)': [],
    'enqueued → triaged (queue + worker)': [],
    'triaged → queued (queue + router)': [],
  };
  const model = complaintModel(connection);
  for (const id of ids.slice(0, 300)) {
    const doc = await model.findById(id, { events: 1 }).lean<ComplaintRecord>();
    const at = (type: string) => doc?.events.find((event) => event.type === type)?.at.getTime();
    const [received, enqueued, triaged, queued] = ['received', 'enqueued', 'triaged', 'queued'].map(at);
    if (received && enqueued) stageSamples['received → enqueued (intake)']!.push(enqueued - received);
    if (enqueued && triaged) stageSamples['enqueued → triaged (queue + worker)']!.push(triaged - enqueued);
    if (triaged && queued) stageSamples['triaged → queued (queue + router)']!.push(queued - triaged);
  }
  await connection.close();
  const stages = Object.fromEntries(
    Object.entries(stageSamples).map(([name, samples]) => [name, quantiles(samples)]),
  );

  await routeEvents.close();
  eventsConnection.disconnect();
  await Promise.all(services.map(stopService));
  const cleanup = new Redis(redisUrl);
  for (;;) {
    const keys = await cleanup.keys(`${prefix}*`);
    if (keys.length === 0) break;
    for (let i = 0; i < keys.length; i += 500) await cleanup.del(...keys.slice(i, i + 500));
  }
  cleanup.disconnect();
  return { rate, done, seconds, half, stages, cpuPerComplaint };
}

/* ------------------------------------------------------------ main */

async function main(): Promise<void> {
  const infra = await startEmbeddedInfra(process.env, (message) => say(`[infra] ${message}`));
  const infraPids = {
    mongo: listenerPid(new URL(infra.mongoUrl).port),
    redis: listenerPid(new URL(infra.redisUrl).port),
  };
  say(`MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}`);
  say(
    `${COUNT} complaints per saturation run, ${INFLIGHT} in flight; stored: ${SIZES.join(', ')}; ` +
      `workers and routers: ${REPLICAS.join(', ')}; load average ${loadAverage()}`,
  );
  const results: Array<{ size: number; floor: RunResult; product: Map<number, ProductResult> }> = [];
  try {
    for (const size of SIZES) {
      const url = new URL(infra.mongoUrl);
      url.pathname = `/bench-pipeline-${size}-${randomUUID().slice(0, 6)}`;
      const mongoUrl = url.toString();
      const customers = Math.max(100, Math.round(size / 10));
      const populating = performance.now();
      await populate(mongoUrl, size, customers);
      say(
        `\n## ${size.toLocaleString('en')} complaints stored (${customers.toLocaleString('en')} customers; ` +
          `inserted in ${((performance.now() - populating) / 1000).toFixed(1)} s); load average ${loadAverage()}`,
      );
      const floor = await measureFloor(mongoUrl, infra.redisUrl, Math.max(1000, COUNT));
      say(`floor: ${floor.rate.toFixed(1)}/s (${floor.done} in ${floor.seconds.toFixed(1)} s)`);
      const product = new Map<number, ProductResult>();
      for (const replicas of REPLICAS) {
        const result = await measureProduct(mongoUrl, infra.redisUrl, infraPids, replicas, customers);
        product.set(replicas, result);
        say(
          `product, ${replicas} worker(s) + ${replicas} router(s): ${result.rate.toFixed(1)}/s ` +
            `(${result.done} of ${COUNT} queued in ${result.seconds.toFixed(1)} s) = ` +
            `${((100 * result.rate) / floor.rate).toFixed(0)} % of floor; load average ${loadAverage()}`,
        );
        say(
          `  half load ${result.half.rate.toFixed(1)}/s: intake → queued p50 ${ms(result.half.p50)}, ` +
            `p99 ${ms(result.half.p99)} (${result.half.done} of ${result.half.n ? result.half.n : 0} measured)`,
        );
        for (const [stage, q] of Object.entries(result.stages))
          say(`    ${stage}: p50 ${ms(q.p50)}, p99 ${ms(q.p99)}`);
        say(
          `  CPU per complaint at saturation: ${Object.entries(result.cpuPerComplaint)
            .map(([name, value]) => `${name} ${value.toFixed(1)} ms`)
            .join(', ')}; total ${Object.values(result.cpuPerComplaint)
            .reduce((a, b) => a + b, 0)
            .toFixed(1)} ms`,
        );
      }
      results.push({ size, floor, product });
    }
  } finally {
    await infra.stop();
  }

  // The headline: the best configuration at the smallest size, and the same one at the largest.
  const small = results[0]!;
  const large = results[results.length - 1]!;
  let best = REPLICAS[0]!;
  for (const replicas of REPLICAS)
    if (small.product.get(replicas)!.rate > small.product.get(best)!.rate) best = replicas;
  const headline = small.product.get(best)!;
  const largeRate = large.product.get(best)!.rate;
  say(
    `\nheadline: ${best} worker(s) + ${best} router(s); ${small.size.toLocaleString('en')} vs ` +
      `${large.size.toLocaleString('en')} stored; floor ${small.floor.rate.toFixed(1)}/s → ${large.floor.rate.toFixed(1)}/s`,
  );
  say(
    `pipeline: ${headline.rate.toFixed(1)}/s = ${((100 * headline.rate) / small.floor.rate).toFixed(0)} % of floor; ` +
      `p99 ${Math.round(headline.half.p99)} ms at half load; at ${Math.round(large.size / 1000)}k stored ` +
      `${((100 * largeRate) / headline.rate).toFixed(0)} % of the ${Math.round(small.size / 1000)}k rate`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
