/**
 * What the router benchmarks share: the queued tickets they seed (inserted straight into
 * MongoDB, then indexed by the sweep's repair, as after a Redis loss), the production-mode
 * router they start on the embedded infrastructure, and latency summaries.
 */
import { randomUUID } from 'node:crypto';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { loadRouterConfig } from '../../services/router/src/config';
import { startSla } from '../../services/router/src/domain/sla-clock';
import { clockFields } from '../../services/router/src/domain/ticket-lifecycle';
import { startRouter, type RunningRouter } from '../../services/router/src/service';
import type { EmbeddedInfra } from '../../tools/embedded-infra';

/** The pull queues the seeded tickets wait in. */
export const BENCH_QUEUES = ['general', 'billing', 'credit-reporting'] as const;

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

export function summary(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** One printed line: label, p50, p99, max and the sample count. */
export function latencyLine(label: string, stats: LatencySummary): string {
  return `${label.padEnd(56)} p50 ${ms(stats.p50).padStart(11)}  p99 ${ms(stats.p99).padStart(11)}  max ${ms(stats.max).padStart(11)}  (n=${stats.n})`;
}

/**
 * The `index`-th of `total` queued tickets: arrivals one second apart, deadlines 2–49 hours
 * out, priority scores spread over 0–149, round-robin over BENCH_QUEUES.
 */
export function queuedTicket(index: number, total: number, now: number): ComplaintRecord {
  const id = randomUUID();
  const receivedAt = new Date(now - (total - index) * 1000);
  const firstResponseDueAt = new Date(receivedAt.getTime() + (2 + (index % 48)) * 3600_000);
  const resolutionDueAt = new Date(firstResponseDueAt.getTime() + 24 * 3600_000);
  const sla = startSla(receivedAt, firstResponseDueAt, resolutionDueAt);
  const score = (index * 7919) % 150;
  const queue = BENCH_QUEUES[index % BENCH_QUEUES.length] ?? 'general';
  return {
    _id: id,
    source: 'bench',
    dedupeKey: `id:${id}`,
    customer: { id: `bench-${index % 997}`, tier: 'standard' },
    channel: 'web',
    subject: 'Billing dispute',
    body: 'I was charged twice for the same order and nobody answered my emails. '.repeat(4),
    status: 'queued',
    receivedAt,
    updatedAt: receivedAt,
    decision: {
      category: 'billing',
      severity: 'medium',
      priority: { score, components: { severity: score } },
      slaPolicy: 'medium',
      calendar: 'always',
      firstResponseDueAt,
      resolutionDueAt,
      queue,
      skills: [],
      tags: [],
      flags: [],
      rulesetVersion: 'bench',
      firedRules: [],
      decidedAt: receivedAt,
    },
    ticket: {
      queue,
      priorityScore: score,
      ...clockFields(sla, undefined),
      agentId: null,
      transferCount: 0,
      reopenCount: 0,
      sla,
    },
    events: [{ type: 'queued', at: receivedAt, actor: 'bench' }],
  };
}

/** An agent's API key (production refuses keys under 24 characters). */
export const agentKey = (agentId: string) => `bench-key-${agentId}-0123456789abcdef`;

/**
 * A router in production mode on `infra`, in a database and queue prefix of its own, with one
 * API key per agent, no maintenance sweep and no per-key rate limit (the benchmarks measure
 * claims, not the limit).
 */
export async function startBenchRouter(
  infra: EmbeddedInfra,
  name: string,
  agentIds: readonly string[],
): Promise<RunningRouter> {
  return startRouter(
    loadRouterConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      MONGO_URL: `${infra.mongoUrl.replace(/\/$/, '')}/${name}-${Date.now()}`,
      REDIS_URL: infra.redisUrl,
      QUEUE_PREFIX: `{${name}-${Date.now()}}`,
      API_KEYS: agentIds.map((id) => `${agentKey(id)}:agent:${id}`).join(','),
      ROUTER_PORT: '0',
      RULES_DIR: 'rules',
      MAINTENANCE_INTERVAL_MS: '0',
      NOTIFY_WEBHOOK_SECRET: 'bench-only-notify-secret-0123456789abcdef',
      SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
      RATE_LIMIT_PER_KEY: '100000000',
    }),
  );
}

/**
 * Inserts `total` queued tickets straight into MongoDB (as after a Redis loss), then builds the
 * claim index with the sweep's repair. Returns the tickets' ids, in insertion order.
 */
export async function seedQueuedTickets(router: RunningRouter, total: number): Promise<string[]> {
  const ids: string[] = [];
  const seedStart = performance.now();
  const now = Date.now();
  for (let offset = 0; offset < total; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, total - offset) }, (_, i) =>
      queuedTicket(offset + i, total, now),
    );
    await router.tickets.model.insertMany(batch, { lean: true });
    ids.push(...batch.map((ticket) => ticket._id));
  }
  console.log(`seeded ${total} queued tickets in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const indexStart = performance.now();
  const repair = await router.tickets.reconcileClaimIndex();
  console.log(
    `claim index built from MongoDB (${repair.added} entries) in ${((performance.now() - indexStart) / 1000).toFixed(1)} s`,
  );
  return ids;
}

/**
 * Times calls of the router's own repository, index and timer methods while a load runs,
 * wrapped in place (a benchmark may; the service never does). Methods a target lacks are
 * skipped, so one list serves the code before and after a change.
 */
export function timeSteps(targets: ReadonlyArray<{ target: object; method: string; step: string }>): {
  samples: Map<string, number[]>;
  stop: () => void;
} {
  const samples = new Map<string, number[]>();
  const restore: Array<() => void> = [];
  for (const { target, method, step } of targets) {
    const holder = target as Record<string, unknown>;
    const original = holder[method];
    if (typeof original !== 'function') continue;
    const bound = original as (...args: unknown[]) => Promise<unknown>;
    const taken: number[] = samples.get(step) ?? [];
    samples.set(step, taken);
    holder[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await bound.apply(target, args);
      } finally {
        taken.push(performance.now() - started);
      }
    };
    restore.push(() => {
      holder[method] = original;
    });
  }
  return { samples, stop: () => restore.forEach((undo) => undo()) };
}
