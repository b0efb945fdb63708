import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { type QueueDefinition, type ResolutionCode } from '@triage/rules';
import type { ApiKeyTable, Logger } from '@triage/shared/kernel';
import {
  apiKeyRateLimit,
  createBaseApp,
  failedAuthLimit,
  jsonBody,
  notFoundHandler,
  openApiRouter,
  problemHandler,
  browserSession,
  requireRole,
  sessionRequiredForChanges,
  type ServiceMetrics,
  type AccessLimits,
  type ReadinessProbe,
} from '@triage/shared/http';
import type { Queue } from 'bullmq';
import type { Express, RequestHandler } from 'express';
import { agentWorkspaceRouter } from './agent-workspace/agent-workspace-router';
import { qaPageRouter } from './qa-page/qa-page-router';
import { dashboardPage } from './dashboard/dashboard-page';
import type { CrmDeliveries } from './data-access/crm-deliveries';
import type { CustomerHistoryReader } from './data-access/customer-history-reader';
import type { ReportRepository } from './data-access/report-repository';
import type { AgentRepository } from './data-access/agent-repository';
import type { TicketReadModel } from './data-access/ticket-read-model';
import type { SurveyLinks } from './domain/csat';
import type { ReviewDeps } from './domain/qa-reviews';
import type { TicketDesk } from './domain/ticket-desk';
import { agentsRouter } from './entry-points/http/agents-router';
import { crmRouter } from './entry-points/http/crm-router';
import { qaReviewsRouter } from './entry-points/http/qa-reviews-router';
import {
  complaintRatesRouter,
  type ComplaintRatesRouterDeps,
} from './entry-points/http/complaint-rates-router';
import { surveyRouter } from './entry-points/http/survey-router';
import { routerOpenApi } from './entry-points/http/openapi';
import { queuesRouter } from './entry-points/http/queues-router';
import { reportsRouter } from './entry-points/http/reports-router';
import { sessionRouter, type BrowserSessionSettings } from './entry-points/http/session-router';
import { ticketContextRouter } from './entry-points/http/ticket-context-router';
import { ticketsRouter } from './entry-points/http/tickets-router';

export interface RouterAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  /** Browser sessions (dashboard, bull-board): signed cookies, no keys in URLs. */
  session: BrowserSessionSettings;
  desk: TicketDesk;
  /** The read model behind the ticket and agent-queue views. */
  views: TicketReadModel;
  agents: AgentRepository;
  /** Customers' histories (complaints, outcomes), shown to the agent beside a ticket. */
  customerHistory: CustomerHistoryReader;
  queues: () => readonly QueueDefinition[];
  resolutionCodes: () => readonly ResolutionCode[];
  probes: ReadinessProbe[];
  reports: ReportRepository;
  metrics: ServiceMetrics;
  /** Per-key and failed-authentication limits (RATE_LIMIT_*), counted in Redis. */
  limits: AccessLimits;
  /** Express `trust proxy` (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
  /** QA reviews: the store, the scorecards' scoring and the sampling plan. */
  review: ReviewDeps;
  /** Satisfaction survey links (GET/POST /survey/:token). */
  surveys: SurveyLinks;
  /** The CRM deliveries' job queue, for GET /v1/crm-deliveries. */
  crmDeliveries: CrmDeliveries;
  /** Every BullMQ queue of the system, for the bull-board UI at /admin/queues. */
  boardJobQueues: Queue[];
  /** Complaint-rate counts, baselines and open alerts (reports, dashboard banner). */
  rateMonitor: ComplaintRatesRouterDeps['rateMonitor'];
}

/** bull-board for admins: read with a session or a Bearer key; changes need the session (CSRF-checked). */
function queueBoard(deps: RouterAppDeps) {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.boardJobQueues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  return serverAdapter.getRouter();
}

/** A person opening bull-board without a session is sent to the sign-in page, which brings them back. */
const signInFirst: RequestHandler = (req, res, next) => {
  const isPage = req.method === 'GET' && req.path === '/' && req.accepts(['html', 'json']) === 'html';
  if (isPage && !req.header('authorization') && !req.sessionPrincipal) {
    res.redirect(303, '/dashboard?next=admin-queues');
    return;
  }
  next();
};

export function createApp(deps: RouterAppDeps): Express {
  const app = createBaseApp('router', deps.logger, deps.probes, {
    metrics: deps.metrics,
    ...(deps.trustProxy === undefined ? {} : { trustProxy: deps.trustProxy }),
  });
  // Before any key lookup: an address that keeps failing authentication is cut off; then per key.
  app.use(failedAuthLimit({ ...deps.limits, logger: deps.logger }));
  app.use(apiKeyRateLimit({ ...deps.limits, logger: deps.logger }));
  app.use(openApiRouter('router', '0.1.0', routerOpenApi()));
  app.get('/dashboard', (_req, res) => {
    res.type('html').send(dashboardPage);
  });
  app.use(agentWorkspaceRouter());
  app.use(qaPageRouter());
  // A session cookie stands in for the Authorization header of the signed-in browser's calls.
  app.use(browserSession(deps.apiKeys, deps.session));
  app.use(
    '/admin/queues',
    signInFirst,
    requireRole(deps.apiKeys, 'admin'),
    sessionRequiredForChanges,
    queueBoard(deps),
  );
  // Public: the signed link is the permission. Before the JSON-only body parser (the page posts a form).
  app.use(surveyRouter(deps));
  app.use(jsonBody('64kb'));
  app.use(sessionRouter(deps));
  app.use(reportsRouter(deps));
  app.use(complaintRatesRouter(deps));
  app.use(agentsRouter(deps));
  app.use(ticketsRouter(deps));
  app.use(ticketContextRouter(deps));
  app.use(queuesRouter(deps));
  app.use(crmRouter(deps));
  app.use(qaReviewsRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
