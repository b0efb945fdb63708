import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  parseOrThrow,
  principalOf,
  requireRole,
  type ApiKeyTable,
  type Principal,
  type QueueDefinition,
} from '@triage/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { AgentRepository } from '../../data-access/agent-repository';
import type { TicketRepository } from '../../data-access/ticket-repository';
import { eligibleQueues, type TicketAction } from '../../domain/ticket-lifecycle';

export interface TicketsRouterDeps {
  apiKeys: ApiKeyTable;
  tickets: TicketRepository;
  agents: AgentRepository;
  queues: () => readonly QueueDefinition[];
  leaseMs: number;
}

const agentParams = z.object({ agentId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'an agent id') });
const ticketParams = z.object({ id: z.uuid('must be a ticket id (UUID)') });

/** Agents act for themselves; admins may act for anyone. */
function assertActsFor(principal: Principal, agentId: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'agent' && principal.subject === agentId) return;
  throw new ForbiddenError(`This key may not act for agent ${agentId}.`);
}

function actorOf(principal: Principal): { agentId?: string; label: string } {
  if (principal.role === 'agent' && principal.subject)
    return { agentId: principal.subject, label: `agent:${principal.subject}` };
  return { label: `${principal.role}:${principal.keyHint}` };
}

export function ticketsRouter(deps: TicketsRouterDeps): Router {
  const router = Router();
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'admin');

  router.post('/v1/agents/:agentId/claim', agentOrAdmin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    assertActsFor(principalOf(req), agentId);
    const agent = await deps.agents.findById(agentId);
    if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
    const active = await deps.tickets.countActive(agentId);
    if (active >= agent.capacity) {
      throw new ConflictError(
        `Agent ${agentId} is at capacity (${active} of ${agent.capacity} tickets open).`,
        {
          extra: { active, capacity: agent.capacity },
        },
      );
    }
    const queues = eligibleQueues(deps.queues(), agent.skills);
    const ticket = await deps.tickets.claimNext(agentId, queues, deps.leaseMs, req.id);
    if (!ticket) {
      res.status(204).end();
      return;
    }
    res.json({ ticket });
  });

  const action = (name: TicketAction) =>
    router.post(`/v1/tickets/:id/${name}`, agentOrAdmin, async (req, res) => {
      const { id } = parseOrThrow(ticketParams, req.params, 'path');
      const ticket = await deps.tickets.transition(id, name, actorOf(principalOf(req)), req.id);
      res.json({ ticket });
    });
  action('ack');
  action('resolve');
  action('release');

  return router;
}
