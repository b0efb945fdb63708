import {
  createBaseApp,
  jsonBody,
  notFoundHandler,
  problemHandler,
  type ApiKeyTable,
  type Logger,
  type ReadinessProbe,
} from '@triage/shared';
import type { Express } from 'express';
import type { RulesetHolder } from './domain/ruleset-holder';
import { rulesRouter } from './entry-points/http/rules-router';

export interface WorkerAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  rules: RulesetHolder;
  probes: ReadinessProbe[];
}

/** The worker's admin HTTP app: health, rules status and dry runs. */
export function createApp(deps: WorkerAppDeps): Express {
  const app = createBaseApp('worker', deps.logger, deps.probes);
  app.use(jsonBody('1mb'));
  app.use(rulesRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
