/**
 * Claim latency: 50 agents claiming over HTTP from 10k queued tickets, against the embedded
 * infrastructure (MONGO_URL / REDIS_URL when set, else the stand-in and redis-server).
 *
 * Two loads, both with all 50 agents claiming at once:
 * - working agents (open loop): each agent claims at random moments, on average every
 *   `--interval` ms (default 1,000: 50 claims/s in all — an agent claims every few minutes in
 *   a real call centre, so this is ~100× a real shift);
 * - saturation (closed loop): each agent claims again the moment its last claim answered,
 *   `--claims` times: the most claims/s the stack can serve, and the latency when it is full.
 *
 * Baselines measured in the same run on the same database: a bare findOne by _id at the same
 * concurrency (the cheapest MongoDB round trip), and the claim without the claim index (one
 * sorted findOneAndUpdate, ADR 0002), called directly, one at a time.
 *
 *   npx tsx bench/claim-throughput.ts [--tickets 10000] [--agents 50] [--interval 1000]
 *                                     [--seconds 20] [--claims 10] [--unindexed 20] [--warmup 20]
 */
import { parseArgs } from 'node:util';
import { TicketRepository } from '../services/router/src/data-access/ticket-repository';
import { startEmbeddedInfra } from '../tools/embedded-infra';
import {
  agentKey,
  BENCH_QUEUES,
  latencyLine,
  ms,
  seedQueuedTickets,
  startBenchRouter,
  summary,
  timeSteps,
} from './support/router-bench';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000' },
    agents: { type: 'string', default: '50' },
    claims: { type: 'string', default: '10' },
    interval: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    unindexed: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
  },
});
const TICKETS = Number(values.tickets);
const AGENTS = Number(values.agents);
const CLAIMS_PER_AGENT = Number(values.claims);
const INTERVAL_MS = Number(values.interval);
const OPEN_LOOP_MS = Number(values.seconds) * 1000;
const UNINDEXED_CLAIMS = Number(values.unindexed);
const WARMUP_ROUNDS = Number(values.warmup);

/** Times the steps of a claim while the working-agents load runs. */
function timeClaimSteps(router: Awaited<ReturnType<typeof startBenchRouter>>) {
  return timeSteps([
    { target: router.agents, method: 'reserveIfOnline', step: 'capacity slot (MongoDB, agent)' },
    { target: router.claimIndex, method: 'pop', step: 'claim-index pop (Redis)' },
    { target: router.tickets, method: 'claimNext', step: 'pop + guarded claim (MongoDB)' },
    { target: router.timers, method: 'watchLease', step: 'lease timer (BullMQ)' },
  ]);
}

async function main(): Promise<void> {
  const infra = await startEmbeddedInfra(process.env, (message) => console.log(`[infra] ${message}`));
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `bench-agent-${i}`);
  const router = await startBenchRouter(infra, 'bench-claims', agentIds);
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
    await seedQueuedTickets(router, TICKETS);
    const probeId = (await router.tickets.model.findOne({}, { _id: 1 }).lean<{ _id: string }>())?._id ?? '';

    // Warm-up, not measured: JIT in Node and in the JVM of the stand-in, connection pools. Every
    // agent claims and releases `--warmup` times, so the queues are back at full depth after.
    for (let i = 0; i < 200; i++) await router.tickets.model.findOne({ _id: probeId }, { _id: 1 }).lean();
    const warmStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        const headers = { Authorization: `Bearer ${agentKey(agentId)}` };
        for (let i = 0; i < WARMUP_ROUNDS; i++) {
          const response = await fetch(`${router.url}/v1/agents/${agentId}/claim`, {
            method: 'POST',
            headers,
          });
          const body = (await response.json()) as { ticket?: { id: string } };
          if (!body.ticket) throw new Error(`warm-up claim answered ${response.status}`);
          const released = await fetch(`${router.url}/v1/tickets/${body.ticket.id}/release`, {
            method: 'POST',
            headers,
          });
          if (released.status !== 200) throw new Error(`warm-up release answered ${released.status}`);
          await released.arrayBuffer();
        }
      }),
    );
    console.log(
      `warm-up: ${AGENTS * WARMUP_ROUNDS} claims and releases in ${((performance.now() - warmStart) / 1000).toFixed(1)} s`,
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

    const claimOnce = async (agentId: string): Promise<{ ms: number; ticketId: string }> => {
      const started = performance.now();
      const response = await fetch(`${router.url}/v1/agents/${agentId}/claim`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${agentKey(agentId)}` },
      });
      const body = (await response.json()) as { ticket?: { id: string } };
      const elapsed = performance.now() - started;
      if (response.status !== 200 || !body.ticket) throw new Error(`claim answered ${response.status}`);
      return { ms: elapsed, ticketId: body.ticket.id };
    };
    const ticketIds: string[] = [];

    // Working agents (open loop): exponential gaps, so claims of different agents collide at
    // random; a claim's latency counts from its scheduled start, so a slow stack cannot hide
    // its backlog (no coordinated omission).
    const open: number[] = [];
    const steps = timeClaimSteps(router);
    const openStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        let next = performance.now() + -Math.log(1 - Math.random()) * INTERVAL_MS;
        while (next < openStart + OPEN_LOOP_MS) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const { ticketId } = await claimOnce(agentId);
          open.push(performance.now() - next);
          ticketIds.push(ticketId);
          next += -Math.log(1 - Math.random()) * INTERVAL_MS;
        }
      }),
    );
    const openSeconds = (performance.now() - openStart) / 1000;
    steps.stop();

    // Saturation (closed loop): back-to-back claims.
    const closed: number[] = [];
    const closedStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        for (let i = 0; i < CLAIMS_PER_AGENT; i++) {
          const { ms: elapsed, ticketId } = await claimOnce(agentId);
          closed.push(elapsed);
          ticketIds.push(ticketId);
        }
      }),
    );
    const closedSeconds = (performance.now() - closedStart) / 1000;

    // Baseline: the claim without the index (ADR 0002), one at a time, same database and queues.
    const unindexedRepository = new TicketRepository(router.tickets.model.db);
    const unindexed: number[] = [];
    for (let i = 0; i < UNINDEXED_CLAIMS; i++) {
      const now = new Date();
      const started = performance.now();
      const ticket = await unindexedRepository.claimNext({
        agentId: agentIds[0] ?? 'bench-agent-0',
        agentSkills: [],
        queues: BENCH_QUEUES,
        now,
        leaseUntil: new Date(now.getTime() + 900_000),
        eventType: 'claimed',
        origin: { actor: 'bench' },
      });
      unindexed.push(performance.now() - started);
      if (!ticket) throw new Error('the unindexed claim found no ticket');
      ticketIds.push(ticket._id);
    }
    const duplicates = ticketIds.length - new Set(ticketIds).size;

    const base = summary(baseline);
    const openSummary = summary(open);
    const closedSummary = summary(closed);
    const unindexedSummary = summary(unindexed);
    const line = latencyLine;
    console.log('');
    console.log(`MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}`);
    console.log(`${AGENTS} agents, ${TICKETS} queued tickets at the start`);
    console.log(line(`baseline findOne by _id (${AGENTS} concurrent)`, base));
    console.log(line('baseline claim without index (1 at a time)', unindexedSummary));
    console.log(
      line(`working agents: ${(open.length / openSeconds).toFixed(0)} claims/s (open loop)`, openSummary),
    );
    console.log(
      line(`saturation: ${(closed.length / closedSeconds).toFixed(0)} claims/s (closed loop)`, closedSummary),
    );
    for (const [step, samples] of steps.samples) {
      console.log(line(`  of which ${step}`, summary(samples)));
    }
    console.log(
      `ratio working-agents claim p99 / findOne p99: ×${(openSummary.p99 / base.p99).toFixed(1)}; ` +
        `unindexed claim p50 / working-agents claim p50: ×${(unindexedSummary.p50 / openSummary.p50).toFixed(0)}`,
    );
    console.log(
      `target p99 ≤ 20 ms: working agents ${openSummary.p99 <= 20 ? 'met' : 'MISSED'} (${ms(openSummary.p99)}); ` +
        `saturation ${closedSummary.p99 <= 20 ? 'met' : 'MISSED'} (${ms(closedSummary.p99)}); ` +
        `tickets claimed twice: ${duplicates}`,
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
