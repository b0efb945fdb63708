import { type QueueDefinition } from '@triage/rules';
import { NotFoundError, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { TicketReadModel } from '../../data-access/ticket-read-model';
import { assertMayListQueue, type AgentSkills } from './access';
import { ticketListQuery } from './agents-router';
import { canServe } from '../../domain/ticket-lifecycle';
import { toTicketView } from './ticket-view';

const queueParams = z.object({ id: z.string().min(1).max(100) });

/** Online agents' skills, to tell which waiting tickets nobody online can serve. */
interface OnlineAgents extends AgentSkills {
  onlineWithSkills(skills: readonly string[]): Promise<Array<{ skills: readonly string[] }>>;
}

/** Per queue: waiting tickets that need a skill set no online agent has. */
async function unservableByQueue(
  views: TicketReadModel,
  agents: OnlineAgents,
  queues: readonly QueueDefinition[],
): Promise<Map<string, number>> {
  const [waiting, online] = await Promise.all([views.waitingBySkills(), agents.onlineWithSkills([])]);
  const unservable = new Map<string, number>();
  for (const group of waiting) {
    const queue = queues.find((candidate) => candidate.id === group.queue);
    const servable = online.some((agent) => canServe(agent.skills, queue, { skills: group.skills }));
    if (!servable) unservable.set(group.queue, (unservable.get(group.queue) ?? 0) + group.count);
  }
  return unservable;
}

export function queuesRouter(deps: {
  apiKeys: ApiKeyTable;
  views: TicketReadModel;
  agents: OnlineAgents;
  queues: () => readonly QueueDefinition[];
}): Router {
  const router = Router();
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'supervisor', 'admin');

  router.get('/v1/queues', agentOrAdmin, async (_req, res) => {
    const now = new Date();
    const queues = deps.queues();
    const [stats, unservable] = await Promise.all([
      deps.views.queueStats(now),
      unservableByQueue(deps.views, deps.agents, queues),
    ]);
    res.json({
      at: now,
      queues: queues.map((queue) => {
        const entry = stats.get(queue.id);
        return {
          id: queue.id,
          name: queue.name,
          skills: queue.skills,
          mode: queue.mode,
          depth: entry?.depth ?? 0,
          unservable: unservable.get(queue.id) ?? 0,
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
