import { NotFoundError, parseOrThrow, ValidationError, type ApiKeyTable } from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { severities, type QueueDefinition, type ResolutionCode } from '@triage/rules';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { TicketReadModel, TicketSearch } from '../../data-access/ticket-read-model';
import type { TicketActionOptions } from '../../domain/act-on-ticket';
import type { TicketDesk } from '../../domain/ticket-desk';
import { ticketActions, type TicketAction } from '../../domain/ticket-lifecycle';
import { actorOf, agentIdSchema, assertMayReadTicket, ticketParams, type AgentSkills } from './access';
import { toTicketView } from './ticket-view';

export interface TicketsRouterDeps {
  apiKeys: ApiKeyTable;
  desk: TicketDesk;
  views: TicketReadModel;
  agents: AgentSkills;
  queues: () => readonly QueueDefinition[];
  /** rules/resolution-codes.json as loaded now. */
  resolutionCodes: () => readonly ResolutionCode[];
}

export const reasonBody = z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict();
export const transferBody = z
  .object({ queue: z.string().min(1).max(100), reason: z.string().trim().min(1).max(2000).optional() })
  .strict();

export const noteBody = z
  .object({
    text: z.string().trim().min(1).max(5000),
    visibility: z.enum(['internal', 'customer']).default('internal'),
  })
  .strict();

export const resolveBody = z
  .object({
    reason: z.string().trim().min(1).max(2000).optional(),
    resolutionCode: z.string().min(1).max(100).optional(),
    summary: z.string().trim().min(1).max(5000).optional(),
    finalAnswer: z.boolean().optional(),
  })
  .strict();

/** A promise to the customer: due at a time, or after business minutes on the ticket's calendar. */
export const followUpBody = z
  .object({
    dueAt: z.iso.datetime({ offset: true }).optional(),
    inBusinessMinutes: z.number().int().min(1).max(43_200).optional(),
    note: z.string().trim().min(1).max(2000),
  })
  .strict()
  .refine((body) => (body.dueAt === undefined) !== (body.inBusinessMinutes === undefined), {
    message: 'give exactly one of dueAt or inBusinessMinutes',
    path: ['dueAt'],
  });

export const followUpDoneBody = z.object({ note: z.string().trim().min(1).max(2000).optional() }).strict();

export const followUpParams = ticketParams.extend({ followUpId: z.uuid('must be a follow-up id (UUID)') });

export const assignBody = z.object({ agentId: agentIdSchema }).strict();

export const overrideBody = z
  .object({
    severity: z.enum(severities).optional(),
    priorityScore: z.number().finite().min(-1_000_000).max(1_000_000).optional(),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict()
  .refine((body) => body.severity !== undefined || body.priorityScore !== undefined, {
    message: 'severity or priorityScore is required',
    path: ['severity'],
  });

const searchText = z.string().trim().min(1).max(200).optional();

/** GET /v1/tickets: at least one criterion; exact fields, or words of the subject and body. */
export const ticketSearchQuery = z
  .object({
    customerId: searchText,
    phone: searchText,
    email: searchText,
    externalId: searchText,
    q: searchText,
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
  .refine(
    (query) =>
      [query.customerId, query.phone, query.email, query.externalId, query.q].some(
        (value) => value !== undefined,
      ),
    { message: 'one of customerId, phone, email, externalId or q is required', path: ['q'] },
  );

/** A resolve's options: its code must be one of rules/resolution-codes.json. */
function resolveOptions(
  body: z.output<typeof resolveBody>,
  codes: readonly ResolutionCode[],
): TicketActionOptions {
  const options: TicketActionOptions = body.reason ? { reason: body.reason } : {};
  if (body.resolutionCode === undefined) {
    if (body.summary !== undefined || body.finalAnswer !== undefined) {
      throw new ValidationError('A summary or final answer needs a resolution code.', [
        { path: '/resolutionCode', message: 'required with summary or finalAnswer' },
      ]);
    }
    return options;
  }
  if (!codes.some((code) => code.id === body.resolutionCode)) {
    throw new ValidationError(`Unknown resolution code "${body.resolutionCode}".`, [
      {
        path: '/resolutionCode',
        message: 'not a code of rules/resolution-codes.json (GET /v1/resolution-codes)',
      },
    ]);
  }
  return {
    ...options,
    resolution: {
      code: body.resolutionCode,
      ...(body.summary !== undefined ? { summary: body.summary } : {}),
      finalAnswer: body.finalAnswer ?? false,
    },
  };
}

/** The ticket lifecycle over HTTP: one POST per action, answering the ticket as it now is. */
export function ticketsRouter(deps: TicketsRouterDeps): Router {
  const router = Router();
  const agentOrAdmin = requireRole(deps.apiKeys, 'agent', 'supervisor', 'admin');
  const supervisorOrAdmin = requireRole(deps.apiKeys, 'supervisor', 'admin');

  /**
   * An agent acts only on tickets they may read (their queues, or held by them): anything else is
   * 404 before the action, so no answer (a ticket view, a 409's status) tells them about it.
   */
  const mayAct: RequestHandler = async (req, _res, next) => {
    const principal = principalOf(req);
    if (principal.role !== 'agent') return next();
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const complaint = await deps.views.findById(id);
    if (!complaint?.ticket) throw new NotFoundError(`No ticket with id ${id}.`);
    await assertMayReadTicket(principal, complaint, deps.agents, deps.queues());
    next();
  };

  router.get('/v1/tickets/:id', agentOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const complaint = await deps.views.findById(id);
    if (!complaint?.ticket) throw new NotFoundError(`No ticket with id ${id}.`);
    await assertMayReadTicket(principalOf(req), complaint, deps.agents, deps.queues());
    res.json({
      ticket: toTicketView(complaint),
      notes: complaint.notes ?? [],
      followUps: complaint.followUps ?? [],
      events: complaint.events,
    });
  });

  router.get('/v1/resolution-codes', agentOrAdmin, (_req, res) => {
    res.json({ codes: deps.resolutionCodes() });
  });

  router.post('/v1/tickets/:id/assign', supervisorOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const { agentId } = parseOrThrow(assignBody, req.body ?? {});
    const ticket = await deps.desk.assign(id, agentId, {
      actor: actorOf(principalOf(req)).label,
      requestId: req.requestId,
    });
    res.json({ ticket: toTicketView(ticket) });
  });

  router.post('/v1/tickets/:id/override', supervisorOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const { severity, priorityScore, reason } = parseOrThrow(overrideBody, req.body ?? {});
    const ticket = await deps.desk.override(
      id,
      {
        reason,
        ...(severity !== undefined ? { severity } : {}),
        ...(priorityScore !== undefined ? { priorityScore } : {}),
      },
      { actor: actorOf(principalOf(req)).label, requestId: req.requestId },
    );
    res.json({ ticket: toTicketView(ticket) });
  });

  router.get('/v1/tickets', supervisorOrAdmin, async (req, res) => {
    const { limit, ...criteria } = parseOrThrow(ticketSearchQuery, req.query, 'query');
    const search = Object.fromEntries(
      Object.entries(criteria).filter(([, value]) => value !== undefined),
    ) as TicketSearch;
    const found = await deps.views.search(search, limit);
    const now = new Date();
    res.json({ tickets: found.map((complaint) => toTicketView(complaint, now)) });
  });

  router.post('/v1/tickets/:id/notes', agentOrAdmin, mayAct, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const input = parseOrThrow(noteBody, req.body ?? {});
    const { note } = await deps.desk.addNote(id, actorOf(principalOf(req)).label, input, req.requestId);
    res.status(201).location(`/v1/tickets/${id}`).json({ note });
  });

  router.post('/v1/tickets/:id/follow-ups', agentOrAdmin, mayAct, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const body = parseOrThrow(followUpBody, req.body ?? {});
    const input =
      body.dueAt !== undefined
        ? { note: body.note, dueAt: new Date(body.dueAt) }
        : { note: body.note, inBusinessMinutes: body.inBusinessMinutes ?? 0 };
    const { followUp } = await deps.desk.promiseFollowUp(id, actorOf(principalOf(req)), input, req.requestId);
    res.status(201).location(`/v1/tickets/${id}`).json({ followUp });
  });

  router.post('/v1/tickets/:id/follow-ups/:followUpId/done', agentOrAdmin, mayAct, async (req, res) => {
    const { id, followUpId } = parseOrThrow(followUpParams, req.params, 'path');
    const { note } = parseOrThrow(followUpDoneBody, req.body ?? {});
    const { followUp } = await deps.desk.completeFollowUp(
      id,
      followUpId,
      actorOf(principalOf(req)),
      note,
      req.requestId,
    );
    res.json({ followUp });
  });

  router.post('/v1/tickets/:id/heartbeat', agentOrAdmin, mayAct, async (req, res) => {
    const { id } = parseOrThrow(ticketParams, req.params, 'path');
    const actor = actorOf(principalOf(req));
    const ticket = await deps.desk.heartbeat(
      id,
      actor.agentId !== undefined ? { agentId: actor.agentId } : {},
    );
    res.json({ ticket: toTicketView(ticket) });
  });

  const action = (name: TicketAction) =>
    router.post(`/v1/tickets/:id/${name}`, agentOrAdmin, mayAct, async (req, res) => {
      const { id } = parseOrThrow(ticketParams, req.params, 'path');
      const body: unknown = req.body ?? {};
      const options =
        name === 'transfer'
          ? (() => {
              const parsed = parseOrThrow(transferBody, body);
              return { targetQueue: parsed.queue, ...(parsed.reason ? { reason: parsed.reason } : {}) };
            })()
          : name === 'resolve'
            ? resolveOptions(parseOrThrow(resolveBody, body), deps.resolutionCodes())
            : (() => {
                const parsed = parseOrThrow(reasonBody, body);
                return parsed.reason ? { reason: parsed.reason } : {};
              })();
      const ticket = await deps.desk.act(id, name, actorOf(principalOf(req)), {
        ...options,
        requestId: req.requestId,
      });
      res.json({ ticket: toTicketView(ticket) });
    });
  for (const name of ticketActions) action(name);

  return router;
}
