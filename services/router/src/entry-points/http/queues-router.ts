import { requireRole, type ApiKeyTable, type QueueDefinition } from '@triage/shared';
import { Router } from 'express';
import type { TicketRepository } from '../../data-access/ticket-repository';

export function queuesRouter(deps: {
  apiKeys: ApiKeyTable;
  tickets: TicketRepository;
  queues: () => readonly QueueDefinition[];
}): Router {
  const router = Router();
  router.get('/v1/queues', requireRole(deps.apiKeys, 'agent', 'admin'), async (_req, res) => {
    const stats = await deps.tickets.queueStats();
    res.json({
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
        };
      }),
    });
  });
  return router;
}
