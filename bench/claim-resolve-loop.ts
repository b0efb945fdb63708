/**
 * Claims and resolves in a loop (issue #15, item 5): ten agents each claim the next ticket over
 * HTTP, resolve it over HTTP with a reason, and start again, over 10,000 queued tickets, against
 * the embedded infrastructure (MONGO_URL / REDIS_URL when set, else the stand-in and
 * redis-server). The agents have the skills of every seeded queue and of the `fraud` push queue,
 * so a resolve, which frees a slot, also looks for push tickets to give them (as in the fault
 * test the issue quotes).
 *
 * Baseline, same run, same database, same collection: ten concurrent callers each doing two
 * findOneAndUpdate by _id in a row (set a field, then another) straight through the MongoDB
 * driver, on distinct seeded tickets: the least a claim plus a resolve must write.
 *
 * The loops run for `--seconds` or until `--max` tickets are resolved, whichever comes first.
 * Last line: `claims: <n>/s claim+resolve = <pct> % of bare findOneAndUpdate loop (<m>/s);
 * p99 claim <a> ms, resolve <b> ms`.
 *
 *   npx tsx bench/claim-resolve-loop.ts [--tickets 10000] [--agents 10] [--seconds 30]
 *                                       [--max 6000] [--warmup 10]
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startEmbeddedInfra } from '../tools/embedded-infra';
import {
  agentKey,
  latencyLine,
  seedQueuedTickets,
  startBenchRouter,
  summary,
  timeSteps,
} from './support/router-bench';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000' },
    agents: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    max: { type: 'string', default: '6000' },
    warmup: { type: 'string', default: '10' },
  },
});
const TICKETS = Number(values.tickets);
const AGENTS = Number(values.agents);
const LOOP_MS = Number(values.seconds) * 1000;
const MAX_DONE = Number(values.max);
const WARMUP_ROUNDS = Number(values.warmup);
const RESOLVE_REASON = 'bench: refund issued, customer informed';

async function main(): Promise<void> {
  if (TICKETS < AGENTS * WARMUP_ROUNDS + MAX_DONE) {
    console.log(
      `note: ${TICKETS} tickets < warm-up ${AGENTS * WARMUP_ROUNDS} + --max ${MAX_DONE}: ` +
        'the loop may empty the queues, and claims from empty queues fall back to MongoDB',
    );
  }
  const infra = await startEmbeddedInfra(process.env, (message) => console.log(`[infra] ${message}`));
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `bench-agent-${i}`);
  const router = await startBenchRouter(infra, 'bench-claim-resolve', agentIds);
  const client = await MongoClient.connect(infra.mongoUrl);
  try {
    for (const id of agentIds) {
      await router.agents.upsert({
        _id: id,
        name: id,
        skills: ['general', 'billing', 'credit', 'fraud'],
        capacity: 10,
        online: true,
      });
    }
    const seededIds = await seedQueuedTickets(router, TICKETS);
    const complaints = client.db(router.tickets.model.db.name).collection<{ _id: string }>('complaints');

    const claim = async (agentId: string): Promise<string> => {
      const response = await fetch(`${router.url}/v1/agents/${agentId}/claim`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${agentKey(agentId)}` },
      });
      const body = (await response.json()) as { ticket?: { id: string } | null };
      if (response.status !== 200 || !body.ticket) throw new Error(`claim answered ${response.status}`);
      return body.ticket.id;
    };
    const resolve = async (agentId: string, ticketId: string): Promise<void> => {
      const response = await fetch(`${router.url}/v1/tickets/${ticketId}/resolve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${agentKey(agentId)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reason: RESOLVE_REASON }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`resolve answered ${response.status}`);
    };

    // Warm-up, not measured: JIT in Node and in the stand-in's JVM, connection pools.
    const warmStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        for (let i = 0; i < WARMUP_ROUNDS; i++) await resolve(agentId, await claim(agentId));
      }),
    );
    for (let i = 0; i < 200; i++) {
      await complaints.findOneAndUpdate(
        { _id: seededIds[i] ?? '' },
        { $set: { benchTouchedAt: new Date() } },
      );
    }
    console.log(
      `warm-up: ${AGENTS * WARMUP_ROUNDS} claims and resolves in ${((performance.now() - warmStart) / 1000).toFixed(1)} s`,
    );

    // Baseline: two findOneAndUpdate by _id per round, ten callers, distinct tickets (taken from
    // the end of the seeded ids, so the product loop below starts on a collection of the same size).
    const bare: number[] = [];
    let nextBare = seededIds.length - 1;
    const bareStart = performance.now();
    await Promise.all(
      agentIds.map(async () => {
        while (performance.now() - bareStart < LOOP_MS && bare.length < MAX_DONE && nextBare >= 0) {
          const id = seededIds[nextBare--] ?? '';
          const started = performance.now();
          await complaints.findOneAndUpdate({ _id: id }, { $set: { benchClaimedAt: new Date() } });
          await complaints.findOneAndUpdate({ _id: id }, { $set: { benchResolvedAt: new Date() } });
          bare.push(performance.now() - started);
        }
      }),
    );
    const bareRate = bare.length / ((performance.now() - bareStart) / 1000);

    // The product: claim → resolve → again, ten agents, closed loop.
    const claims: number[] = [];
    const resolves: number[] = [];
    const resolvedIds: string[] = [];
    const steps = timeSteps([
      { target: router.agents, method: 'reserveIfOnline', step: 'claim: capacity slot (MongoDB, agent)' },
      { target: router.claimIndex, method: 'pop', step: 'claim: claim-index pop (Redis)' },
      { target: router.tickets, method: 'claimNext', step: 'claim: pop + guarded claim (MongoDB)' },
      { target: router.timers, method: 'watchLease', step: 'claim: lease timer (BullMQ)' },
      { target: router.tickets, method: 'findById', step: 'resolve: read ticket (MongoDB, _id)' },
      { target: router.tickets, method: 'applyPatch', step: 'resolve: guarded update (MongoDB)' },
      { target: router.timers, method: 'cancelSla', step: 'resolve: cancel SLA timers (BullMQ)' },
      { target: router.agents, method: 'release', step: 'resolve: free the slot (MongoDB, agent)' },
      {
        target: router.tickets,
        method: 'queuesWithWaitingTickets',
        step: 'resolve: push queues waiting? (distinct)',
      },
      {
        target: router.tickets,
        method: 'queuesWithIndexedTickets',
        step: 'resolve: push queues waiting? (index)',
      },
    ]);
    const loopStart = performance.now();
    await Promise.all(
      agentIds.map(async (agentId) => {
        while (performance.now() - loopStart < LOOP_MS && resolvedIds.length < MAX_DONE) {
          const claimStart = performance.now();
          const ticketId = await claim(agentId);
          const resolveStart = performance.now();
          await resolve(agentId, ticketId);
          resolves.push(performance.now() - resolveStart);
          claims.push(resolveStart - claimStart);
          resolvedIds.push(ticketId);
        }
      }),
    );
    const loopSeconds = (performance.now() - loopStart) / 1000;
    steps.stop();
    const rate = resolvedIds.length / loopSeconds;
    const duplicates = resolvedIds.length - new Set(resolvedIds).size;
    const stillQueued = await complaints.countDocuments({ status: 'queued' });

    const claimSummary = summary(claims);
    const resolveSummary = summary(resolves);
    const bareSummary = summary(bare);
    console.log('');
    console.log(`MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}`);
    console.log(
      `${AGENTS} agents, ${TICKETS} queued tickets seeded, ${stillQueued} still queued at the end; ` +
        `tickets resolved twice: ${duplicates}`,
    );
    console.log(
      latencyLine(
        `bare 2× findOneAndUpdate by _id: ${bareRate.toFixed(0)}/s (${AGENTS} callers)`,
        bareSummary,
      ),
    );
    console.log(latencyLine(`claim over HTTP (${rate.toFixed(0)} claim+resolve/s)`, claimSummary));
    console.log(latencyLine('resolve over HTTP', resolveSummary));
    for (const [step, samples] of steps.samples) {
      if (samples.length > 0) console.log(latencyLine(`  of which ${step}`, summary(samples)));
    }
    console.log(
      `claims: ${rate.toFixed(1)}/s claim+resolve = ${((100 * rate) / bareRate).toFixed(1)} % of bare ` +
        `findOneAndUpdate loop (${bareRate.toFixed(0)}/s); p99 claim ${claimSummary.p99.toFixed(1)} ms, ` +
        `resolve ${resolveSummary.p99.toFixed(1)} ms`,
    );
  } finally {
    await client.close();
    await router.timers.lease.obliterate({ force: true }).catch(() => undefined);
    await router.stop();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
