import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '@triage/shared/kernel';
import { loadIntakeConfig } from '../../services/intake/src/config';
import { loadRouterConfig } from '../../services/router/src/config';
import { loadWorkerConfig } from '../../services/worker/src/config';

const ROOT = path.resolve(__dirname, '..', '..');

/** Values a production deployment could really use: long, random-looking, not shipped anywhere. */
const strong = {
  apiKeys:
    'k7Qm2vX9pL4tR8wZ1nB6cF3hJ5sD0aGe:admin:ada,Yt6Rk1Pz8Lq3Wm5Xn2Bv7Cs4Df9Gh0Ja:crm:generic-crm,Hq2Wn7Lx4Rb9Tm1Pz6Kc3Vd8Sf5Jg0Ye:supervisor:sofia',
  webhookSecrets: 'generic-crm:N4xT8qW2mZ6rL1pV9bK3sF7hC5dJ0gYe',
  notifySecret: 'Wq3Lz8Rt1Xm6Pn4Kv9Bs2Df7Gh5Jc0Ya',
  sessionSecret: 'Zr5Kp0Xw7Mq2Lt9Vn4Bc1Hs6Dg3Jf8Ya',
};

/** The demo values of tools/start-stack.ts and docker-compose.yml. */
const demo = {
  apiKeys:
    'demo-crm-key:crm:generic-crm,demo-supervisor-key:supervisor:sofia,demo-admin-key:admin:ada,demo-agent-alice:agent:alice,demo-agent-bob:agent:bob,demo-agent-wei:agent:wei,demo-agent-maria:agent:maria',
  webhookSecrets: 'generic-crm:demo-webhook-secret,cfpb:demo-cfpb-secret',
  notifySecret: 'demo-notify-secret-change-me',
  sessionSecret: 'triage-dev-session-secret-change-me',
};

function productionEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'production',
    MONGO_URL: 'mongodb://127.0.0.1:1/triage',
    REDIS_URL: 'redis://127.0.0.1:1',
    API_KEYS: strong.apiKeys,
    WEBHOOK_SECRETS: strong.webhookSecrets,
    NOTIFY_WEBHOOK_SECRET: strong.notifySecret,
    SESSION_SECRET: strong.sessionSecret,
    ...overrides,
  };
}

const loaders = {
  intake: loadIntakeConfig,
  router: loadRouterConfig,
  worker: loadWorkerConfig,
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('production refuses what is not production', () => {
  it.each(Object.entries(loaders))(
    'when %s starts in production with strong keys and secrets, then its config loads',
    (_service, load) => {
      expect(problemsOf(() => load(productionEnv()))).toEqual([]);
    },
  );

  it.each(Object.entries(loaders))(
    'when %s starts in production with the demo API keys, then its config is refused naming API_KEYS',
    (_service, load) => {
      const problems = problemsOf(() => load(productionEnv({ API_KEYS: demo.apiKeys })));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^API_KEYS: .*demo/)]));
    },
  );

  it.each(Object.entries(loaders))(
    'when %s starts in production with a one-character admin key, then its config is refused naming API_KEYS',
    (_service, load) => {
      const problems = problemsOf(() => load(productionEnv({ API_KEYS: 'x:admin:ada' })));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^API_KEYS: .*24 characters/)]));
    },
  );

  it('when intake starts in production with the demo webhook secrets or a 16-character one, then it is refused naming WEBHOOK_SECRETS', () => {
    const withDemo = problemsOf(() =>
      loadIntakeConfig(productionEnv({ WEBHOOK_SECRETS: demo.webhookSecrets })),
    );
    expect(withDemo).toEqual(expect.arrayContaining([expect.stringMatching(/^WEBHOOK_SECRETS: .*demo/)]));
    const short = problemsOf(() =>
      loadIntakeConfig(productionEnv({ WEBHOOK_SECRETS: 'generic-crm:sixteen-chars-abc' })),
    );
    expect(short).toEqual(
      expect.arrayContaining([expect.stringMatching(/^WEBHOOK_SECRETS: .*24 characters/)]),
    );
  });

  it('when the router starts in production without a notify secret, with the demo one or a short one, then it is refused naming NOTIFY_WEBHOOK_SECRET', () => {
    for (const notify of [undefined, demo.notifySecret, 'short-but-16-chars']) {
      const problems = problemsOf(() => loadRouterConfig(productionEnv({ NOTIFY_WEBHOOK_SECRET: notify })));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^NOTIFY_WEBHOOK_SECRET: /)]));
    }
  });

  it('when the router starts in production without a session secret, with the demo one or a short one, then it is refused naming SESSION_SECRET', () => {
    for (const session of [undefined, demo.sessionSecret, 'short-but-16-chars']) {
      const problems = problemsOf(() => loadRouterConfig(productionEnv({ SESSION_SECRET: session })));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^SESSION_SECRET: /)]));
    }
  });

  it('when the demo values are used outside production, then they still load (npm start, tests)', () => {
    const env = productionEnv({
      NODE_ENV: 'development',
      API_KEYS: demo.apiKeys,
      WEBHOOK_SECRETS: demo.webhookSecrets,
    });
    expect(problemsOf(() => loadIntakeConfig(env))).toEqual([]);
  });

  it('when the intake process starts in production with the docker-compose demo values, then it exits non-zero and says why', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'services', 'intake', 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          ...productionEnv({ API_KEYS: demo.apiKeys, WEBHOOK_SECRETS: demo.webhookSecrets }),
          INTAKE_PORT: '0',
        } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/invalid configuration/);
    expect(output).toMatch(/API_KEYS: .*demo/);
    expect(output).toMatch(/WEBHOOK_SECRETS: .*demo/);
  });
});
