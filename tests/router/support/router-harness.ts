import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRouterConfig } from '../../../services/router/src/config';
import { startRouter, type RunningRouter } from '../../../services/router/src/service';
import {
  buildTriagedComplaint,
  type TicketSeed,
} from '../../../services/router/test/builders/ticket-builders';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/test-infra';

export const adminKey = 'router-test-admin-key';
export const agentKey = (agentId: string) => `router-test-agent-${agentId}`;

/** The environment of a router under test: its own database and queue prefix, keys for `agents`. */
export function routerEnv(label: string, agents: readonly string[], overrides: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: testMongoUrl(label),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    API_KEYS: [`${adminKey}:admin:router-admin`, ...agents.map((id) => `${agentKey(id)}:agent:${id}`)].join(
      ',',
    ),
    ROUTER_PORT: '0',
    RULES_DIR: 'rules',
    RULES_WATCH: 'false',
    MAINTENANCE_INTERVAL_MS: '0',
    ...overrides,
  } satisfies Record<string, string>;
}

export async function startTestRouter(env: Record<string, string>): Promise<RunningRouter> {
  return startRouter(loadRouterConfig(env));
}

export {
  buildTriagedComplaint,
  type TicketSeed,
} from '../../../services/router/test/builders/ticket-builders';

/** Stores triaged complaints and lets the router queue them (real routing, real SLA timers). */
export async function seedTickets(router: RunningRouter, seeds: readonly TicketSeed[]): Promise<string[]> {
  const docs = seeds.map(buildTriagedComplaint);
  await router.tickets.model.insertMany(docs);
  for (const doc of docs) await router.desk.routeTriaged(doc._id, undefined);
  return docs.map((doc) => doc._id);
}

/**
 * A copy of rules/ whose SLA policies are second-scale and 24/7, and whose queues get the
 * escalation ladders `ladders` (queue id → escalation), so deadlines come from the rules.
 */
export async function secondScaleRules(options: {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  ladders?: Record<string, unknown>;
  modes?: Record<string, 'pull' | 'push'>;
  /** Queue id → follow-up policy (remindBeforeMinutes, notify). */
  followUps?: Record<string, unknown>;
}): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'triage-rules-'));
  await cp('rules', dir, { recursive: true });
  const policiesFile = path.join(dir, 'sla-policies.json');
  const policies = JSON.parse(await readFile(policiesFile, 'utf8')) as {
    policies: Array<Record<string, unknown>>;
  };
  for (const policy of policies.policies) {
    policy.calendar = 'always';
    policy.firstResponseMinutes = options.firstResponseMinutes;
    policy.resolutionMinutes = options.resolutionMinutes;
  }
  await writeFile(policiesFile, JSON.stringify(policies, null, 2));
  const queuesFile = path.join(dir, 'queues.json');
  const queues = JSON.parse(await readFile(queuesFile, 'utf8')) as { queues: Array<Record<string, unknown>> };
  for (const queue of queues.queues) {
    const ladder = options.ladders?.[String(queue.id)];
    if (ladder !== undefined) queue.escalation = ladder;
    const mode = options.modes?.[String(queue.id)];
    if (mode !== undefined) queue.mode = mode;
    const followUps = options.followUps?.[String(queue.id)];
    if (followUps !== undefined) queue.followUps = followUps;
  }
  await writeFile(queuesFile, JSON.stringify(queues, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
