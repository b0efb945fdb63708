import {
  createBaseApp,
  jsonBody,
  notFoundHandler,
  problemHandler,
  type ApiKeyTable,
  type Logger,
  type QueueDefinition,
  type ReadinessProbe,
} from '@triage/shared';
import type { Express } from 'express';
import type { AgentRepository } from './data-access/agent-repository';
import type { TicketRepository } from './data-access/ticket-repository';
import type { TicketDesk } from './domain/ticket-desk';
import { agentsRouter } from './entry-points/http/agents-router';
import { queuesRouter } from './entry-points/http/queues-router';
import { ticketsRouter } from './entry-points/http/tickets-router';

export interface RouterAppDeps {
  logger: Logger;
  apiKeys: ApiKeyTable;
  desk: TicketDesk;
  tickets: TicketRepository;
  agents: AgentRepository;
  queues: () => readonly QueueDefinition[];
  probes: ReadinessProbe[];
}

export function createApp(deps: RouterAppDeps): Express {
  const app = createBaseApp('router', deps.logger, deps.probes);
  app.use(jsonBody('64kb'));
  app.use(agentsRouter(deps));
  app.use(ticketsRouter(deps));
  app.use(queuesRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
