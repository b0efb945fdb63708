import type { ApiKeyTable, Logger } from '@triage/shared/kernel';
import {
  apiKeyId,
  createBaseApp,
  failedAuthLimit,
  jsonBody,
  notFoundHandler,
  openApiRouter,
  problemHandler,
  redisRateLimit,
  type AccessLimits,
  type ReadinessProbe,
} from '@triage/shared/http';
import type { SourceMapping } from '@triage/shared/sources';
import type { Express } from 'express';
import type { WebhookSecrets } from './config';
import type { ComplaintRepository } from './data-access/complaint-repository';
import type { DeliveryLog, TriageQueue } from './domain/ports';
import { complaintsRouter } from './entry-points/http/complaints-router';
import { intakeOpenApi } from './entry-points/http/openapi';
import { webhooksRouter } from './entry-points/http/webhooks-router';

export interface IntakeRateLimits extends AccessLimits {
  perSource: number;
}

export interface IntakeAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  bodyLimit: string;
  repository: ComplaintRepository;
  triageQueue: TriageQueue;
  /** Source mappings by source name (rules/sources). */
  mappings: ReadonlyMap<string, SourceMapping>;
  webhookSecrets: WebhookSecrets;
  webhookToleranceSeconds: number;
  /** The replay cache of signed webhook deliveries. */
  deliveries: DeliveryLog;
  rateLimits: IntakeRateLimits;
  probes: ReadinessProbe[];
  /** Express `trust proxy` (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
}

/** The intake HTTP app, wired from its dependencies (no connections made here). */
export function createApp(deps: IntakeAppDeps): Express {
  const { rateLimits, logger } = deps;
  const app = createBaseApp('intake', logger, deps.probes, {
    ...(deps.trustProxy === undefined ? {} : { trustProxy: deps.trustProxy }),
  });
  // Before every key lookup and signature check: an address that keeps failing them is cut off.
  app.use(failedAuthLimit({ ...rateLimits, prefix: `${rateLimits.prefix}:intake`, logger }));
  app.use(openApiRouter('intake', '0.1.0', intakeOpenApi()));
  // Webhooks read their body raw (the signature covers the exact bytes), so they come before jsonBody.
  app.use(
    webhooksRouter({
      mappings: deps.mappings,
      secrets: deps.webhookSecrets,
      toleranceSeconds: deps.webhookToleranceSeconds,
      bodyLimit: deps.bodyLimit,
      repository: deps.repository,
      triageQueue: deps.triageQueue,
      deliveries: deps.deliveries,
      sourceRateLimit: redisRateLimit({
        sendCommand: rateLimits.sendCommand,
        prefix: `${rateLimits.prefix}:ratelimit:source:`,
        windowMs: rateLimits.windowMs,
        limit: rateLimits.perSource,
        subject: 'webhook source',
        keyOf: (req) => String(req.params.source),
        logger,
      }),
      logger,
    }),
  );
  app.use(jsonBody(deps.bodyLimit));
  app.use(
    complaintsRouter({
      apiKeys: deps.apiKeys,
      repository: deps.repository,
      triageQueue: deps.triageQueue,
      keyRateLimit: redisRateLimit({
        sendCommand: rateLimits.sendCommand,
        prefix: `${rateLimits.prefix}:ratelimit:key:`,
        windowMs: rateLimits.windowMs,
        limit: rateLimits.perKey,
        subject: 'API key',
        keyOf: apiKeyId,
        logger,
      }),
      logger,
    }),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return app;
}
