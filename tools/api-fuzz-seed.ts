/**
 * Seeds a fresh stack for tools/api-fuzz.sh and writes the schemathesis config that points the
 * fuzzer's path parameters at what exists: without it nearly every `{id}` is a random UUID that
 * answers 404, and responses with real tickets, agents and blocklist entries are never checked
 * against their schemas.
 *
 *   tsx tools/api-fuzz-seed.ts --intake <url> --router <url> --worker <url> --out <schemathesis.toml>
 *
 * Seeds: the demo complaints through the signed webhook (as `npm run demo`), one claim by alice,
 * one blocklist entry. The config binds path.id, path.agentId, path.customerId, path.source, and the
 * bodies' queue (transfer) and until (blocklist) to dictionaries of values the API accepts, with
 * probability 0.5, so half the cases still use generated values.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deliver, demoPayloads } from './demo-loader';

const keys = { admin: 'demo-admin-key', alice: 'demo-agent-alice' };

function say(line: string): void {
  process.stdout.write(`[api-fuzz-seed] ${line}\n`);
}

async function call<T>(url: string, key: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

interface QueueView {
  id: string;
  depth: number;
  active: number;
}

/** Waits until every accepted complaint is a ticket in some queue (triaged and routed). */
async function waitForTickets(router: string, expected: number, timeoutMs = 60_000): Promise<QueueView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { queues } = await call<{ queues: QueueView[] }>(`${router}/v1/queues`, keys.admin);
    const tickets = queues.reduce((sum, queue) => sum + queue.depth + queue.active, 0);
    if (tickets >= expected) return queues;
    if (Date.now() > deadline)
      throw new Error(`only ${tickets} of ${expected} tickets after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const toml = (values: readonly string[]) => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      intake: { type: 'string' },
      router: { type: 'string' },
      worker: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const { intake, router, worker, out } = values;
  if (!intake || !router || !worker || !out)
    throw new Error('--intake, --router, --worker and --out are required');

  const tally = await deliver(intake, 'generic-crm', 'demo-webhook-secret', demoPayloads(), 50, say);
  say(`complaints: ${tally.accepted} accepted, ${tally.rejected} rejected, ${tally.failed} failed`);
  const queues = await waitForTickets(router, tally.accepted);
  // A held ticket gives the agent's own routes something to show; 204 (nothing eligible) is fine too.
  const claim = await fetch(`${router}/v1/agents/alice/claim`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.alice}` },
  });
  say(`alice's claim: ${claim.status}`);
  const blockedCustomer = 'cn-1001';
  await call(`${worker}/v1/blocklist/${blockedCustomer}`, keys.admin, {
    method: 'PUT',
    body: { until: new Date(Date.now() + 30 * 86_400_000).toISOString(), reason: 'api fuzzing seed' },
  });

  const ticketIds: string[] = [];
  for (const queue of queues) {
    const { tickets } = await call<{ tickets: Array<{ id: string }> }>(
      `${router}/v1/queues/${encodeURIComponent(queue.id)}/tickets?status=queued,claimed,in_progress`,
      keys.admin,
    );
    ticketIds.push(...tickets.map((ticket) => ticket.id));
  }
  const { agents } = await call<{ agents: Array<{ id: string }> }>(`${router}/v1/agents`, keys.admin);
  say(`${ticketIds.length} tickets in ${queues.length} queues, ${agents.length} agents, 1 blocklist entry`);

  writeFileSync(
    out,
    [
      '# Written by tools/api-fuzz-seed.ts for one run of tools/api-fuzz.sh.',
      '[dictionaries.ids]',
      `values = ${toml([...ticketIds, ...queues.map((queue) => queue.id)])}`,
      '[dictionaries.agents]',
      `values = ${toml(agents.map((agent) => agent.id))}`,
      '[dictionaries.customers]',
      `values = ${toml([blockedCustomer])}`,
      '[dictionaries.queues]',
      `values = ${toml(queues.map((queue) => queue.id))}`,
      '[dictionaries.until]',
      `values = ${toml([new Date(Date.now() + 7 * 86_400_000).toISOString()])}`,
      '[dictionaries.sources]',
      `values = ${toml(['generic-crm', 'cfpb'])}`,
      '[parameters]',
      '"path.id" = { dictionary = "ids", probability = 0.5 }',
      '"path.agentId" = { dictionary = "agents", probability = 0.5 }',
      '"path.customerId" = { dictionary = "customers", probability = 0.5 }',
      '"path.source" = { dictionary = "sources", probability = 0.5 }',
      '"body.queue" = { dictionary = "queues", probability = 0.5 }',
      '"body.until" = { dictionary = "until", probability = 0.5 }',
      '',
    ].join('\n'),
  );
  say(`wrote ${out}`);
}

main().catch((error: unknown) => {
  say(`failed: ${(error as Error).message}`);
  process.exit(1);
});
