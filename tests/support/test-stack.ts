import { loadIntakeConfig } from '../../services/intake/src/config';
import { startIntake, type RunningIntake } from '../../services/intake/src/service';
import { loadRouterConfig } from '../../services/router/src/config';
import { startRouter, type RunningRouter } from '../../services/router/src/service';
import { loadWorkerConfig } from '../../services/worker/src/config';
import { startWorker, type RunningWorker } from '../../services/worker/src/service';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from './test-infra';

export const testKeys = {
  crm: 'test-crm-key-0001',
  admin: 'test-admin-key-0001',
  agent: (agentId: string) => `test-agent-key-${agentId}`,
};

export const testAgents = ['agent-1', 'agent-2', 'agent-3'];

export interface TestStack {
  intake: RunningIntake;
  worker: RunningWorker;
  router: RunningRouter;
  env: Record<string, string>;
  stop: () => Promise<void>;
}

/** The three services in this process, on port 0, with a database and queue prefix of their own. */
export async function startTestStack(
  label: string,
  overrides: Record<string, string> = {},
): Promise<TestStack> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: testMongoUrl(label),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    API_KEYS: [
      `${testKeys.crm}:crm:test-crm`,
      `${testKeys.admin}:admin:test-admin`,
      ...testAgents.map((agentId) => `${testKeys.agent(agentId)}:agent:${agentId}`),
    ].join(','),
    INTAKE_PORT: '0',
    WORKER_PORT: '0',
    ROUTER_PORT: '0',
    RULES_DIR: 'rules',
    ...overrides,
  };
  const intake = await startIntake(loadIntakeConfig(env));
  const worker = await startWorker(loadWorkerConfig(env));
  const router = await startRouter(loadRouterConfig(env));
  return {
    intake,
    worker,
    router,
    env,
    stop: async () => {
      await intake.stop();
      await worker.stop();
      await router.stop();
    },
  };
}
