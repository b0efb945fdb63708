import { createHash } from 'node:crypto';
import {
  createBaseApp,
  jsonBody,
  notFoundHandler,
  openApiRouter,
  problemHandler,
  type ApiKeyTable,
  type Logger,
  type ReadinessProbe,
  type SourceMapping,
} from '@triage/shared';
import type { Express, Request } from 'express';
import type { SendCommandFn } from 'rate-limit-redis';
import type { WebhookSecrets } from './config';
import type { ComplaintRepository } from './data-access/complaint-repository';
import type { DeliveryLog } from './domain/accept-webhook-delivery';
import type { TriageQueue } from './domain/submit-complaint';
import { complaintsRouter } from './entry-points/http/complaints-router';
import { intakeOpenApi } from './entry-points/http/openapi';
import { redisRateLimit } from './entry-points/http/rate-limit';
import { webhooksRouter } from './entry-points/http/webhooks-router';

export interface IntakeRateLimits {
  /** Raw Redis commands for the shared counters. */
  sendCommand: SendCommandFn;
  /** Redis key prefix of the counters (the queue prefix keeps test runs apart). */
  prefix: string;
  windowMs: number;
  perKey: number;
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
}

/** Counts an API key by a hash of it: the key itself never becomes a Redis key. */
function apiKeyId(req: Request): string {
  const token = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1] ?? '';
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** The intake HTTP app, wired from its dependencies (no connections made here). */
export function createApp(deps: IntakeAppDeps): Express {
  const { rateLimits, logger } = deps;
  const app = createBaseApp('intake', logger, deps.probes);
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
