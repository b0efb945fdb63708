/**
 * `npm start`: the whole stack on embedded defaults. Starts (or reuses, via MONGO_URL /
 * REDIS_URL) MongoDB and Redis, runs intake, router and worker as child processes,
 * creates the demo agents, prints URLs and demo keys, and stops everything on Ctrl-C.
 *
 * Embedded MongoDB and Redis keep their data in TRIAGE_DATA_DIR (default `.triage-data/`), so a
 * restart keeps every complaint; `npm start -- --fresh` empties that folder first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedInfra } from './embedded-infra';

const ROOT = path.resolve(__dirname, '..');
const env = process.env;
const ports = {
  intake: Number(env.INTAKE_PORT ?? 3000),
  router: Number(env.ROUTER_PORT ?? 3001),
  worker: Number(env.WORKER_PORT ?? 3002),
};
const demoKeys = {
  crm: 'demo-crm-key',
  supervisor: 'demo-supervisor-key',
  admin: 'demo-admin-key',
  qa: 'demo-qa-lin',
  agents: {
    alice: 'demo-agent-alice',
    bob: 'demo-agent-bob',
    wei: 'demo-agent-wei',
    maria: 'demo-agent-maria',
    chen: 'demo-agent-chen',
  },
};
const demoSecrets = 'generic-crm:demo-webhook-secret,cfpb:demo-cfpb-secret';

function say(message: string): void {
  process.stdout.write(`[triage] ${message}\n`);
}

async function waitReady(name: string, url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} during start-up`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });
  const dataDir = path.resolve(env.TRIAGE_DATA_DIR ?? path.join(ROOT, '.triage-data'));
  if (flags.fresh) {
    rmSync(dataDir, { recursive: true, force: true });
    say(`--fresh: emptied ${dataDir}`);
  }
  const infra = await startEmbeddedInfra(env, say, { dataDir });
  const mongoUrl = new URL(infra.mongoUrl);
  if (mongoUrl.pathname === '/' || mongoUrl.pathname === '') mongoUrl.pathname = '/triage';
  const serviceEnv: Record<string, string> = {
    ...(env as Record<string, string>),
    MONGO_URL: mongoUrl.toString(),
    REDIS_URL: infra.redisUrl,
    API_KEYS:
      env.API_KEYS ??
      [
        `${demoKeys.crm}:crm:generic-crm`,
        `${demoKeys.supervisor}:supervisor:sofia`,
        `${demoKeys.admin}:admin:ada`,
        `${demoKeys.qa}:qa:lin`,
        ...Object.entries(demoKeys.agents).map(([id, key]) => `${key}:agent:${id}`),
      ].join(','),
    WEBHOOK_SECRETS: env.WEBHOOK_SECRETS ?? demoSecrets,
    INTAKE_PORT: String(ports.intake),
    ROUTER_PORT: String(ports.router),
    WORKER_PORT: String(ports.worker),
    RULES_DIR: env.RULES_DIR ?? path.join(ROOT, 'rules'),
    // Demo agents (queues come from rules/queues.json).
    SEED_AGENTS_FILE: env.SEED_AGENTS_FILE ?? path.join(ROOT, 'tools', 'demo', 'agents.json'),
  };

  const children: Array<{ name: keyof typeof ports; child: ChildProcess }> = [];
  const stopAll = async (code: number) => {
    say('stopping…');
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await infra.stop();
    say('stopped');
    process.exit(code);
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stopAll(0);
    });
  }

  for (const name of ['intake', 'worker', 'router'] as const) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'services', name, 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: serviceEnv,
        stdio: ['ignore', 'inherit', 'inherit'],
        // Own process group: on Ctrl-C only this parent gets SIGINT and stops each service once, in order.
        detached: true,
      },
    );
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited (code ${code}, signal ${signal}); stopping the stack`);
        stopping = true;
        void stopAll(1);
      }
    });
    children.push({ name, child });
  }
  try {
    await Promise.all(
      children.map(({ name, child }) => waitReady(name, `http://127.0.0.1:${ports[name]}`, child)),
    );
  } catch (error) {
    say(`start-up failed: ${(error as Error).message}`);
    stopping = true;
    await stopAll(1);
    return;
  }

  say('');
  say('triage is up (Ctrl-C stops everything):');
  say(`  intake  http://localhost:${ports.intake}   POST /v1/complaints, POST /v1/webhooks/:source`);
  say(`  router  http://localhost:${ports.router}   POST /v1/agents/:id/claim, GET /v1/queues`);
  say(`  worker  http://localhost:${ports.worker}   GET /v1/rules, POST /v1/rules/dry-run`);
  say(`  MongoDB ${mongoUrl.toString()}  ${infra.mongoKind}`);
  say(`  Redis   ${infra.redisUrl}  ${infra.redisKind}`);
  if (!env.MONGO_URL || !env.REDIS_URL)
    say(`  data    ${dataDir} (kept across restarts; npm start -- --fresh starts empty)`);
  if (!env.API_KEYS) {
    say('demo API keys (Authorization: Bearer <key>):');
    say(`  crm    ${demoKeys.crm}  (source generic-crm)`);
    say(`  supervisor  ${demoKeys.supervisor}  (sofia)`);
    say(`  admin  ${demoKeys.admin}  (ada)`);
    say(`  qa     ${demoKeys.qa}  (lin, QA reviewer: /qa)`);
    for (const [agentId, key] of Object.entries(demoKeys.agents))
      say(`  agent  ${key}  (agent id ${agentId})`);
  }
  if (!env.WEBHOOK_SECRETS) say(`demo webhook secrets: ${demoSecrets} (npm run demo signs with these)`);
  else say("WEBHOOK_SECRETS is set: npm run demo needs --secret <the source's secret>");
}

main().catch((error: unknown) => {
  say(`failed: ${(error as Error).message}`);
  process.exit(1);
});
