import { Router } from 'express';

/** A dependency the service needs to be ready; `check` rejects or returns false when it is not. */
export interface ReadinessProbe {
  name: string;
  check: () => Promise<boolean>;
  /**
   * False for a dependency the service works without (degraded): its state is reported, but
   * /ready stays 200, so a load balancer keeps sending traffic. Default true.
   */
  required?: boolean;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /health (liveness: the process answers) and GET /ready (every required probe passes, else
 * 503; a failing optional probe makes the status "degraded" with 200).
 */
export function healthRouter(service: string, probes: ReadinessProbe[], timeoutMs = 2000): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  router.get('/ready', async (_req, res) => {
    const checks = await Promise.all(
      probes.map(async (probe) => {
        try {
          const ok = await withTimeout(probe.check(), timeoutMs);
          return {
            name: probe.name,
            required: probe.required !== false,
            ok,
            error: ok ? undefined : 'not ready',
          };
        } catch (error) {
          return {
            name: probe.name,
            required: probe.required !== false,
            ok: false,
            error: (error as Error).message,
          };
        }
      }),
    );
    const ready = checks.every((check) => check.ok || !check.required);
    const degraded = ready && checks.some((check) => !check.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? (degraded ? 'degraded' : 'ready') : 'not ready',
      service,
      checks: Object.fromEntries(checks.map((c) => [c.name, c.ok ? 'ok' : c.error])),
    });
  });
  return router;
}
