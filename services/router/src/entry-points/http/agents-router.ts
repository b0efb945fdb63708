import { NotFoundError, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import type { ComplaintStatus } from '@triage/shared/complaint';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { AgentRecord, AgentRepository } from '../../data-access/agent-repository';
import type { TicketReadModel } from '../../data-access/ticket-read-model';
import type { TicketDesk } from '../../domain/ticket-desk';
import { eligibleQueues, heldStatuses } from '../../domain/ticket-lifecycle';
import type { QueueDefinition } from '@triage/rules';
import { agentParams, assertActsFor } from './access';
import { toTicketView } from './ticket-view';

export interface AgentsRouterDeps {
  apiKeys: ApiKeyTable;
  desk: TicketDesk;
  agents: AgentRepository;
  views: TicketReadModel;
  queues: () => readonly QueueDefinition[];
}

const skill = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'lower-case letters, digits, ., - and _');
export const agentBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    skills: z.array(skill).max(50),
    capacity: z.number().int().min(1).max(1000),
    online: z.boolean().default(true),
  })
  .strict();
export const presenceBody = z.object({ online: z.boolean() }).strict();

const statusList = z
  .string()
  .transform((raw) => raw.split(',').map((part) => part.trim()))
  .pipe(
    z.array(
      z.enum(['queued', 'claimed', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const, {
        error: 'one of queued, claimed, in_progress, waiting_customer, resolved, closed',
      }),
    ),
  );
export const ticketListQuery = z
  .object({ status: statusList.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

function agentView(agent: AgentRecord, queues: readonly QueueDefinition[]) {
  return {
    id: agent._id,
    name: agent.name,
    skills: agent.skills,
    capacity: agent.capacity,
    online: agent.online,
    activeTickets: agent.activeTickets ?? 0,
    queues: eligibleQueues(queues, agent.skills),
    updatedAt: agent.updatedAt,
  };
}

/** Agents as data (admin), presence (the agent), their tickets, and the claim. */
export function agentsRouter(deps: AgentsRouterDeps): Router {
  const router = Router();
  const admin = requireRole(deps.apiKeys, 'admin');
  const supervisorOrAdmin = requireRole(deps.apiKeys, 'supervisor', 'admin');
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'supervisor', 'admin');

  router.get('/v1/agents', supervisorOrAdmin, async (_req, res) => {
    const agents = await deps.agents.list();
    res.json({ agents: agents.map((agent) => agentView(agent, deps.queues())) });
  });

  router.get('/v1/agents/:agentId', agentOrAdmin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    assertActsFor(principalOf(req), agentId);
    const agent = await deps.agents.findById(agentId);
    if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
    res.json({ agent: agentView(agent, deps.queues()) });
  });

  router.put('/v1/agents/:agentId', admin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    const body = parseOrThrow(agentBody, req.body ?? {});
    const { agent, created } = await deps.agents.upsert({ _id: agentId, ...body });
    const handedBack = await deps.desk.agentChanged(agent, req.requestId);
    const current = (await deps.agents.findById(agentId)) ?? agent;
    res.status(created ? 201 : 200).json({ agent: agentView(current, deps.queues()), handedBack });
  });

  router.post('/v1/agents/:agentId/presence', agentOrAdmin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    assertActsFor(principalOf(req), agentId);
    const { online } = parseOrThrow(presenceBody, req.body ?? {});
    const { handedBack } = await deps.desk.setPresence(agentId, online, req.requestId);
    const agent = await deps.agents.findById(agentId);
    if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
    res.json({ agent: agentView(agent, deps.queues()), handedBack });
  });

  router.get('/v1/agents/:agentId/tickets', agentOrAdmin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    assertActsFor(principalOf(req), agentId);
    const query = parseOrThrow(ticketListQuery, req.query, 'query');
    const statuses: readonly ComplaintStatus[] = query.status ?? heldStatuses;
    const tickets = await deps.views.listByAgent(agentId, statuses, query.limit);
    const now = new Date();
    res.json({ agentId, tickets: tickets.map((ticket) => toTicketView(ticket, now)) });
  });

  router.post('/v1/agents/:agentId/claim', agentOrAdmin, async (req, res) => {
    const { agentId } = parseOrThrow(agentParams, req.params, 'path');
    assertActsFor(principalOf(req), agentId);
    const ticket = await deps.desk.claim(agentId, req.requestId);
    if (!ticket) {
      res.status(204).end();
      return;
    }
    // One line joins the claim to the complaint's own request id from intake (see README, "Following one complaint").
    req.log.info(
      { complaintId: ticket._id, agentId, complaintRequestId: ticket.requestId },
      'ticket claimed',
    );
    res.json({ ticket: toTicketView(ticket) });
  });

  return router;
}
