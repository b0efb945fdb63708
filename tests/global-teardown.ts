import type { EmbeddedInfra } from '../tools/embedded-infra';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __triageInfra?: EmbeddedInfra }).__triageInfra;
  if (infra) {
    process.stdout.write(
      `\n[test infra] integration tests ran against MongoDB: ${infra.mongoKind}; Redis: ${infra.redisKind}\n`,
    );
    await infra.stop();
  }
}
