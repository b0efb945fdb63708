import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';
import { healthRouter, type ReadinessProbe } from './health';
import { requestId } from './request-id';

/**
 * The express skeleton every service shares: request id, access log, /health and /ready.
 * Services mount their routers on it and finish with `finishApp`.
 */
export function createBaseApp(service: string, logger: Logger, probes: ReadinessProbe[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => req.id,
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' },
      customProps: (req) => ({ requestId: req.id }),
    }),
  );
  app.use(healthRouter(service, probes));
  return app;
}
