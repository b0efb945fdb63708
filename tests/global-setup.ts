import { startEmbeddedInfra } from '../tools/embedded-infra';

/**
 * Starts MongoDB and Redis once for the integration project and hands their URLs to the
 * test workers through the environment. If neither a real server nor the stand-in can
 * be started, the run fails here with the reason: Mongo-backed tests never skip.
 */
export default async function globalSetup(): Promise<void> {
  const infra = await startEmbeddedInfra(process.env, (message) =>
    process.stdout.write(`\n[test infra] ${message}\n`),
  );
  process.env.TRIAGE_TEST_MONGO_URL = infra.mongoUrl;
  process.env.TRIAGE_TEST_REDIS_URL = infra.redisUrl;
  process.env.TRIAGE_TEST_MONGO_KIND = infra.mongoKind;
  (globalThis as { __triageInfra?: typeof infra }).__triageInfra = infra;
}
