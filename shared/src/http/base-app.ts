// pino-http augments the request with req.log; the reference carries that into the .d.ts services see.
/// <reference types="pino-http" preserve="true" />
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { redactUrlSecrets, type Logger } from '../kernel';
import { healthRouter, type ReadinessProbe } from './health';
import { createServiceMetrics, httpMetrics, metricsRouter, type ServiceMetrics } from './metrics';
import { requestId } from './request-id';

export interface BaseAppOptions {
  /** The service's metrics; one is made when absent. */
  metrics?: ServiceMetrics;
  /** Express `trust proxy` (TRUST_PROXY); false: the client address is the socket's peer. */
  trustProxy?: boolean | number | string;
}

/**
 * The express skeleton every service shares: request id, access log, HTTP metrics,
 * /health, /ready and /metrics. Services mount their routers on it and finish with the
 * problem+json handlers.
 */
export function createBaseApp(
  service: string,
  logger: Logger,
  probes: ReadinessProbe[],
  options: BaseAppOptions = {},
): Express {
  const metrics = options.metrics ?? createServiceMetrics(service);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.locals.metrics = metrics;
  app.use(requestId);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => req.requestId,
      autoLogging: { ignore: (req) => ['/health', '/ready', '/metrics'].includes(req.url ?? '') },
      customProps: (req) => ({ requestId: req.requestId }),
      // Query strings may carry secrets (a key pasted into an address): their values never reach the log.
      serializers: {
        req: (req: { url?: string; query?: unknown }) => {
          const { query: _query, ...rest } = req;
          return { ...rest, ...(req.url ? { url: redactUrlSecrets(req.url) } : {}) };
        },
      },
    }),
  );
  app.use(httpMetrics(metrics));
  app.use(healthRouter(service, probes));
  app.use(metricsRouter(metrics));
  return app;
}
