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
import type { ComplaintRepository } from './data-access/complaint-repository';
import type { TriageQueue } from './domain/submit-complaint';
import { complaintsRouter } from './entry-points/http/complaints-router';

export interface IntakeAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  bodyLimit: string;
  repository: ComplaintRepository;
  triageQueue: TriageQueue;
  probes: ReadinessProbe[];
}

/** The intake HTTP app, wired from its dependencies (no connections made here). */
export function createApp(deps: IntakeAppDeps): Express {
  const app = createBaseApp('intake', deps.logger, deps.probes);
  app.use(jsonBody(deps.bodyLimit));
  app.use(complaintsRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
