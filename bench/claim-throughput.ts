/**
 * Claim latency: 50 concurrent agents claiming over HTTP from 10k queued tickets, against the
 * embedded infrastructure (MONGO_URL / REDIS_URL when set, else the stand-in and redis-server).
 * The baseline, measured in the same run on the same database: a bare findOne by _id, the
 * cheapest round trip MongoDB can answer, at the same concurrency.
 *
 *   npx tsx bench/claim-throughput.ts [--tickets 10000] [--agents 50] [--claims 10]
 *
 * `--claims` is per agent; the queue stays deep (10k − agents × claims) for the whole run.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ComplaintRecord } from '@triage/shared';
import { loadRouterConfig } from '../services/router/src/config';
import { clockFields } from '../services/router/src/domain/ticket-lifecycle';
import { startSla } from '../services/router/src/domain/sla-clock';
import { startRouter } from '../services/router/src/service';
import { startEmbeddedInfra } from '../tools/embedded-infra';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000' },
    agents: { type: 'string', default: '50' },
    claims: { type: 'string', default: '10' },
  },
});
const TICKETS = Number(values.tickets);
const AGENTS = Number(values.agents);
const CLAIMS_PER_AGENT = Number(values.claims);
const QUEUES = ['general', 'billing', 'credit-reporting'];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

function queuedTicket(index: number, now: number): ComplaintRecord {
  const id = randomUUID();
  const receivedAt = new Date(now - (TICKETS - index) * 1000);
  const firstResponseDueAt = new Date(receivedAt.getTime() + (2 + (index % 48)) * 3600_000);
  const resolutionDueAt = new Date(firstResponseDueAt.getTime() + 24 * 3600_000);
  const sla = startSla(receivedAt, firstResponseDueAt, resolutionDueAt);
  const score = (index * 7919) % 150;
  const queue = QUEUES[index % QUEUES.length] ?? 'general';
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

async function main(): Promise<void> {
  const infra = await startEmbeddedInfra(process.env, (message) => console.log(`[infra] ${message}`));
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `bench-agent-${i}`);
  const key = (agentId: string) => `bench-key-${agentId}`;
  const router = await startRouter(
    loadRouterConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      MONGO_URL: `${infra.mongoUrl.replace(/\/$/, '')}/bench-claims-${Date.now()}`,
      REDIS_URL: infra.redisUrl,
      QUEUE_PREFIX: `{bench-${Date.now()}}`,
      API_KEYS: agentIds.map((id) => `${key(id)}:agent:${id}`).join(','),
      ROUTER_PORT: '0',
      RULES_DIR: 'rules',
      MAINTENANCE_INTERVAL_MS: '0',
      NOTIFY_WEBHOOK_SECRET: 'bench-only-notify-secret',
    }),
  );
  try {
    for (const id of agentIds) {
      await router.agents.upsert({
        _id: id,
        name: id,
        skills: ['general', 'billing', 'credit'],
        capacity: 10_000,
        online: true,
      });
    }
    const seedStart = performance.now();
    const now = Date.now();
    for (let offset = 0; offset < TICKETS; offset += 1000) {
      const batch = Array.from({ length: Math.min(1000, TICKETS - offset) }, (_, i) =>
        queuedTicket(offset + i, now),
      );
      await router.tickets.model.insertMany(batch, { lean: true });
    }
    console.log(
      `seeded ${TICKETS} queued tickets in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    const probeId = (await router.tickets.model.findOne({}, { _id: 1 }).lean<{ _id: string }>())?._id ?? '';

    // Warm-up (JIT, connection pools), not measured: a few round trips and one claim per agent.
    for (let i = 0; i < 200; i++) await router.tickets.model.findOne({ _id: probeId }, { _id: 1 }).lean();
    await Promise.all(
      agentIds.map((agentId) =>
        fetch(`${router.url}/v1/agents/${agentId}/claim`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key(agentId)}` },
        }).then((response) => response.arrayBuffer()),
      ),
    );

    // Baseline: a bare findOne by _id on the same database, same concurrency.
    const baseline: number[] = [];
    await Promise.all(
      agentIds.map(async () => {
        for (let i = 0; i < CLAIMS_PER_AGENT; i++) {
          const started = performance.now();
          await router.tickets.model.findOne({ _id: probeId }, { _id: 1 }).lean();
          baseline.push(performance.now() - started);
        }
      }),
    );

    // The claim, end to end over HTTP: auth, agent, capacity reservation, atomic claim, lease timer.
    const claims: number[] = [];
    let claimed = 0;
    const ticketIds: string[] = [];
    const runStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        for (let i = 0; i < CLAIMS_PER_AGENT; i++) {
          const started = performance.now();
          const response = await fetch(`${router.url}/v1/agents/${agentId}/claim`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${key(agentId)}` },
          });
          const body = (await response.json()) as { ticket?: { id: string } };
          claims.push(performance.now() - started);
          if (response.status !== 200 || !body.ticket) throw new Error(`claim answered ${response.status}`);
          claimed++;
          ticketIds.push(body.ticket.id);
        }
      }),
    );
    const seconds = (performance.now() - runStart) / 1000;
    const duplicates = ticketIds.length - new Set(ticketIds).size;

    const base = summary(baseline);
    const claim = summary(claims);
    console.log('');
    console.log(`MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}`);
    console.log(
      `${AGENTS} concurrent agents, ${TICKETS} queued tickets, ${claimed} claims in ${seconds.toFixed(1)} s (${(claimed / seconds).toFixed(0)}/s)`,
    );
    console.log(
      `baseline findOne by _id: p50 ${ms(base.p50)}  p99 ${ms(base.p99)}  max ${ms(base.max)}  (n=${base.n})`,
    );
    console.log(
      `claim over HTTP:         p50 ${ms(claim.p50)}  p99 ${ms(claim.p99)}  max ${ms(claim.max)}  (n=${claim.n})`,
    );
    console.log(
      `ratio claim/baseline:    p50 ×${(claim.p50 / base.p50).toFixed(1)}  p99 ×${(claim.p99 / base.p99).toFixed(1)}`,
    );
    console.log(
      `target p99 ≤ 20 ms: ${claim.p99 <= 20 ? 'met' : 'MISSED'}; tickets claimed twice: ${duplicates}`,
    );
  } finally {
    await router.timers.lease.obliterate({ force: true }).catch(() => undefined);
    await router.stop();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
