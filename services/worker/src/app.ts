import type { ApiKeyTable, Logger } from '@triage/shared/kernel';
import {
  apiKeyRateLimit,
  createBaseApp,
  failedAuthLimit,
  jsonBody,
  notFoundHandler,
  openApiRouter,
  problemHandler,
  type ServiceMetrics,
  type AccessLimits,
  type ReadinessProbe,
} from '@triage/shared/http';
import type { Express } from 'express';
import type {
  BlocklistStore,
  ComplaintEventLog,
  ReplayStore,
  RuleListingStore,
  RuleToolRunner,
} from './domain/ports';
import type { RulesetHolder } from './domain/ruleset-holder';
import { blocklistRouter } from './entry-points/http/blocklist-router';
import { workerOpenApi } from './entry-points/http/openapi';
import { rulesRouter } from './entry-points/http/rules-router';

export interface WorkerAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  rules: RulesetHolder;
  replayStore: ReplayStore;
  /** Runs validate, dry-run and replay off the event loop, within a time budget. */
  ruleTools: RuleToolRunner;
  blocklist: BlocklistStore;
  /** Rule listings (rules/blocklist.json) their reviewers confirm, and the complaints' events. */
  listings: RuleListingStore;
  complaintEvents: ComplaintEventLog;
  /** Whether rules/ is watched for changes. */
  watching: boolean;
  probes: ReadinessProbe[];
  metrics: ServiceMetrics;
  /** Per-key and failed-authentication limits (RATE_LIMIT_*), counted in Redis. */
  limits: AccessLimits;
  /** Express `trust proxy` (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
}

/** The worker's admin HTTP app: health, rules (status, validate, dry-run, replay), QA reviews and the blocklist. */
export function createApp(deps: WorkerAppDeps): Express {
  const app = createBaseApp('worker', deps.logger, deps.probes, {
    metrics: deps.metrics,
    ...(deps.trustProxy === undefined ? {} : { trustProxy: deps.trustProxy }),
  });
  // Before any key lookup: an address that keeps failing authentication is cut off; then per key.
  app.use(failedAuthLimit({ ...deps.limits, logger: deps.logger }));
  app.use(apiKeyRateLimit({ ...deps.limits, logger: deps.logger }));
  app.use(openApiRouter('worker', '0.1.0', workerOpenApi()));
  app.use(jsonBody('1mb'));
  app.use(rulesRouter(deps));
  app.use(blocklistRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
