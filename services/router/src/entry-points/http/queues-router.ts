import { type QueueDefinition } from '@triage/rules';
import { NotFoundError, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { TicketReadModel } from '../../data-access/ticket-read-model';
import { assertMayListQueue, type AgentSkills } from './access';
import { ticketListQuery } from './agents-router';
import { toTicketView } from './ticket-view';

const queueParams = z.object({ id: z.string().min(1).max(100) });

export function queuesRouter(deps: {
  apiKeys: ApiKeyTable;
  views: TicketReadModel;
  agents: AgentSkills;
  queues: () => readonly QueueDefinition[];
}): Router {
  const router = Router();
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'supervisor', 'admin');

  router.get('/v1/queues', agentOrAdmin, async (_req, res) => {
    const now = new Date();
    const stats = await deps.views.queueStats(now);
    res.json({
      at: now,
      queues: deps.queues().map((queue) => {
        const entry = stats.get(queue.id);
        return {
          id: queue.id,
          name: queue.name,
          skills: queue.skills,
          mode: queue.mode,
          depth: entry?.depth ?? 0,
          active: entry?.active ?? 0,
          oldestReceivedAt: entry?.oldestReceivedAt ?? null,
          breached: entry?.breached ?? 0,
          atRisk: entry?.atRisk ?? 0,
        };
      }),
    });
  });

  router.get('/v1/queues/:id/tickets', agentOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(queueParams, req.params, 'path');
    const queue = deps.queues().find((candidate) => candidate.id === id);
    if (!queue) throw new NotFoundError(`No queue with id ${id}.`);
    await assertMayListQueue(principalOf(req), id, deps.agents, deps.queues());
    const query = parseOrThrow(ticketListQuery, req.query, 'query');
    const tickets = await deps.views.listByQueue(id, query.status ?? ['queued'], query.limit);
    const now = new Date();
    res.json({ queue: id, tickets: tickets.map((ticket) => toTicketView(ticket, now)) });
  });

  return router;
}
