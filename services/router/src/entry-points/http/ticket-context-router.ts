import { NotFoundError, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { principalOf, requireRole } from '@triage/shared/http';
import type { QueueDefinition } from '@triage/rules';
import { Router, type Request } from 'express';
import { decisionInWords } from '../../agent-workspace/decision-in-words';
import type { CustomerHistoryReader } from '../../data-access/customer-history-reader';
import type { TicketReadModel } from '../../data-access/ticket-read-model';
import { surveyFor, type SurveyLinks } from '../../domain/csat';
import { assertMayReadTicket, ticketParams, type AgentSkills } from './access';

export interface TicketContextRouterDeps {
  apiKeys: ApiKeyTable;
  views: TicketReadModel;
  agents: AgentSkills;
  queues: () => readonly QueueDefinition[];
  customerHistory: CustomerHistoryReader;
  surveys: SurveyLinks;
}

/**
 * What an agent needs beside a ticket to answer it: the triage decision with its why in words,
 * and the customer's earlier complaints and their outcomes. Read like the ticket itself: an
 * agent outside the ticket's queues (who never held it) gets 404.
 */
export function ticketContextRouter(deps: TicketContextRouterDeps): Router {
  const router = Router();
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'supervisor', 'admin');

  async function readableTicket(req: Request): Promise<ComplaintRecord> {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const complaint = await deps.views.findById(id);
    if (!complaint?.ticket) throw new NotFoundError(`No ticket with id ${id}.`);
    await assertMayReadTicket(principalOf(req), complaint, deps.agents, deps.queues());
    return complaint;
  }

  router.get('/v1/tickets/:id/decision', agentOrAdmin, async (req, res) => {
    const complaint = await readableTicket(req);
    const decision = complaint.decision;
    if (!decision) throw new NotFoundError(`Ticket ${complaint._id} has no triage decision.`);
    res.json({
      decision,
      reasons: decisionInWords(complaint.trace ?? [], decision.firedRules),
      skippedRules: complaint.skippedRules ?? 0,
    });
  });

  router.get('/v1/tickets/:id/customer-history', agentOrAdmin, async (req, res) => {
    const complaint = await readableTicket(req);
    const customerId = complaint.customer.id;
    const history = await deps.customerHistory.findByCustomerId(customerId);
    const newestFirst = <T extends { at: Date }>(list: readonly T[]) =>
      [...list].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
    res.json({
      customerId,
      complaints: newestFirst(history?.complaints ?? []).map((entry) => ({
        id: entry.id,
        at: entry.at,
        thisTicket: entry.id === complaint._id,
      })),
      outcomes: newestFirst(history?.outcomes ?? []).map((outcome) => ({
        complaintId: outcome.complaintId,
        category: outcome.category,
        code: outcome.code,
        finalAnswer: outcome.finalAnswer,
        at: outcome.at,
      })),
    });
  });

  // The survey link of a resolved ticket, for an agent who sends it by their own channel (a text
  // message after a call) and for CRMs that poll instead of receiving the loop's webhook.
  router.get('/v1/tickets/:id/survey', agentOrAdmin, async (req, res) => {
    const complaint = await readableTicket(req);
    const survey = surveyFor(deps, complaint);
    if (!survey) throw new NotFoundError(`Ticket ${complaint._id} is not resolved: no survey is due.`);
    const round = complaint.ticket?.reopenCount ?? 0;
    res.setHeader('Cache-Control', 'no-store').json({
      url: survey.url,
      expiresAt: survey.expiresAt,
      round,
      answered: complaint.csatRounds?.includes(round) ?? false,
    });
  });

  return router;
}
