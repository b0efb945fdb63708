import { createOpenApiRegistry, problemResponses, type OpenAPIRegistry } from '@triage/shared/http';
import { z } from 'zod';
import { ticketActions } from '../../domain/ticket-lifecycle';
import { agentParams, ticketParams } from './access';
import { agentBody, presenceBody } from './agents-router';
import { crmDeliveriesQuery, crmDeliveryParams } from './crm-router';
import {
  assignReviewBody,
  disputeBody,
  reviewListQuery,
  reviewParams,
  scoreBody,
  settleBody,
} from './qa-reviews-router';
import { surveyAnswerBody, surveyParams } from './survey-router';
import {
  assignBody,
  followUpBody,
  followUpDoneBody,
  followUpParams,
  noteBody,
  overrideBody,
  reasonBody,
  resolveBody,
  transferBody,
} from './tickets-router';

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ticket = z
  .looseObject({
    id: z.uuid(),
    complaintId: z.uuid(),
    status: z.string(),
    queue: z.string(),
    skills: z.array(z.string()),
    severity: z.string().optional(),
    priority: z.object({ score: z.number(), components: z.record(z.string(), z.number()) }).optional(),
    firstResponseDueAt: z.iso.datetime().optional(),
    resolutionDueAt: z.iso.datetime().optional(),
    agentId: z.string().nullable(),
    leaseExpiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Ticket' });
const note = z
  .object({
    id: z.uuid(),
    text: z.string(),
    visibility: z.enum(['internal', 'customer']),
    author: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'TicketNote' });
const followUp = z
  .object({
    id: z.uuid(),
    note: z.string(),
    dueAt: z.iso.datetime(),
    remindAt: z.iso.datetime(),
    status: z.enum(['pending', 'kept', 'missed']),
    createdBy: z.string(),
    agentId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    remindedAt: z.iso.datetime().optional(),
    doneAt: z.iso.datetime().optional(),
    doneBy: z.string().optional(),
    doneNote: z.string().optional(),
    missedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'TicketFollowUp' });
const agent = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    skills: z.array(z.string()),
    capacity: z.number(),
    online: z.boolean(),
    activeTickets: z.number(),
  })
  .meta({ id: 'Agent' });
const queue = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    depth: z.number(),
    unservable: z.number().meta({ description: 'Waiting tickets needing skills no online agent has' }),
    active: z.number(),
    atRisk: z.number(),
    breached: z.number(),
    oldestReceivedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'QueueView' });
const listQuery = z.object({
  status: z.string().optional().meta({
    description: 'comma-separated: queued, claimed, in_progress, waiting_customer, resolved, closed',
  }),
  limit: z.number().int().min(1).max(500).optional(),
});
const reportQuery = z.object({
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  format: z.enum(['json', 'csv']).optional(),
  view: z
    .enum(['queues', 'agents', 'severities', 'categories'])
    .optional()
    .meta({ description: 'CSV only: which grouping' }),
});

const baseline = z
  .object({
    weeks: z.number().int().meta({ description: 'Earlier weeks counted (0–4)' }),
    mean: z.number(),
    sd: z.number().meta({ description: 'Sample standard deviation' }),
    counts: z.array(z.number().int()),
  })
  .meta({ id: 'RateBaseline' });
const ratePoint = z
  .object({
    count: z.number().int(),
    baseline,
    limit: z
      .number()
      .nullable()
      .meta({ description: 'The count a spike must exceed; null: not enough history' }),
    spike: z.boolean(),
  })
  .meta({ id: 'RatePoint' });
const bucketView = z.object({ start: z.iso.datetime(), end: z.iso.datetime(), counted: z.boolean() });
const rateAlert = z
  .object({
    id: z.string(),
    kind: z.literal('complaint-rate-spike'),
    period: z.enum(['hour', 'day']),
    bucketStart: z.iso.datetime(),
    dimension: z.string(),
    value: z.string(),
    count: z.number().int(),
    baseline,
    limit: z.number(),
    raisedAt: z.iso.datetime(),
    openUntil: z.iso.datetime(),
  })
  .meta({ id: 'RateAlert' });

/** The router API, described from the zod schemas that validate it. */
export function routerOpenApi(): OpenAPIRegistry {
  const registry = createOpenApiRegistry();
  registry.registerPath({
    method: 'post',
    path: '/v1/agents/{agentId}/claim',
    summary: 'Take the best waiting ticket this agent may serve (that agent, or admin)',
    request: { params: agentParams },
    responses: {
      200: json(z.object({ ticket }), 'Claimed, with a lease'),
      204: { description: 'Nothing waits in the agent’s queues' },
      ...problemResponses(400, 401, 403, 404, 409, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/heartbeat',
    summary: 'Renew the lease of a held ticket',
    request: { params: ticketParams },
    responses: {
      200: json(z.object({ ticket }), 'Lease renewed'),
      ...problemResponses(400, 401, 403, 404, 409, 429),
    },
  });
  for (const action of ticketActions) {
    registry.registerPath({
      method: 'post',
      path: `/v1/tickets/{id}/${action}`,
      summary: `Ticket lifecycle: ${action}`,
      request: {
        params: ticketParams,
        body: {
          content: {
            'application/json': {
              schema: action === 'transfer' ? transferBody : action === 'resolve' ? resolveBody : reasonBody,
            },
          },
        },
      },
      responses: {
        200: json(z.object({ ticket }), 'The ticket after the transition'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/v1/tickets/{id}',
    summary: 'One ticket, with its notes, follow-up promises and history',
    request: { params: ticketParams },
    responses: {
      200: json(z.object({ ticket, notes: z.array(note), followUps: z.array(followUp) }), 'The ticket'),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tickets/{id}/decision',
    summary:
      'The triage decision of a ticket and why, one sentence per fired rule from the stored condition trace (read like the ticket)',
    request: { params: ticketParams },
    responses: {
      200: json(
        z.object({
          decision: z.looseObject({
            category: z.string(),
            severity: z.string(),
            queue: z.string(),
            skills: z.array(z.string()),
            rulesetVersion: z.string(),
          }),
          reasons: z.array(z.object({ stage: z.string(), rule: z.string(), sentence: z.string() })),
          skippedRules: z.number(),
        }),
        'The decision and its reasons',
      ),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tickets/{id}/survey',
    summary:
      'The satisfaction survey link a resolve made due, to send by another channel (read like the ticket); 404 while not resolved',
    request: { params: ticketParams },
    responses: {
      200: json(
        z.object({
          url: z.url(),
          expiresAt: z.iso.datetime(),
          round: z.number().int(),
          answered: z.boolean(),
        }),
        'The link',
      ),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tickets/{id}/customer-history',
    summary:
      "The ticket's customer: their complaints (ids, when) and the outcomes of the resolved ones, newest first (read like the ticket)",
    request: { params: ticketParams },
    responses: {
      200: json(
        z.object({
          customerId: z.string(),
          complaints: z.array(z.object({ id: z.string(), at: z.iso.datetime(), thisTicket: z.boolean() })),
          outcomes: z.array(
            z.object({
              complaintId: z.string(),
              category: z.string(),
              code: z.string(),
              finalAnswer: z.boolean(),
              at: z.iso.datetime(),
            }),
          ),
        }),
        'The customer history',
      ),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/resolution-codes',
    summary: 'How a case may be closed: the codes a resolve names (rules/resolution-codes.json)',
    responses: {
      200: json(
        z.object({
          codes: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().optional() })),
        }),
        'The codes',
      ),
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/assign',
    summary: 'Give a waiting ticket to a named agent (supervisor, admin); skills and capacity checked',
    request: { params: ticketParams, body: { content: { 'application/json': { schema: assignBody } } } },
    responses: {
      200: json(z.object({ ticket }), 'Assigned: the agent holds it, with a lease'),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/override',
    summary:
      'Override the severity or priority score of a waiting or held ticket, with a reason (supervisor, admin); deadlines stay, the SLA ladder is re-planned from now',
    request: { params: ticketParams, body: { content: { 'application/json': { schema: overrideBody } } } },
    responses: {
      200: json(z.object({ ticket }), 'Overridden: an `overridden` event records from, to, reason and actor'),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tickets',
    summary:
      'Search tickets (supervisor, admin): exact customer id, phone, email or external id, and words of the subject or body (any case; text alone looks at the newest 5,000 tickets); newest first',
    request: {
      query: z.object({
        customerId: z.string().optional(),
        phone: z.string().optional(),
        email: z.string().optional(),
        externalId: z.string().optional(),
        q: z
          .string()
          .optional()
          .meta({ description: 'words, each in the subject or body (substring, any case)' }),
        limit: z.number().int().min(1).max(100).optional(),
      }),
    },
    responses: {
      200: json(z.object({ tickets: z.array(ticket) }), 'Matching tickets, newest first'),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/notes',
    summary: 'Write a note on a ticket (internal, or for the customer); kept with author and time',
    request: { params: ticketParams, body: { content: { 'application/json': { schema: noteBody } } } },
    responses: {
      201: json(z.object({ note }), 'The note as stored'),
      ...problemResponses(400, 401, 403, 404, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/follow-ups',
    summary:
      'Promise the customer a follow-up by a time (dueAt, or inBusinessMinutes on the ticket’s calendar): the holder is reminded before it is due, a miss is escalated',
    request: { params: ticketParams, body: { content: { 'application/json': { schema: followUpBody } } } },
    responses: {
      201: json(z.object({ followUp }), 'The promise as stored, with its reminder time'),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tickets/{id}/follow-ups/{followUpId}/done',
    summary: 'Mark a promise done: kept when by its due time, else it stays missed with the time it was done',
    request: {
      params: followUpParams,
      body: { content: { 'application/json': { schema: followUpDoneBody } } },
    },
    responses: {
      200: json(z.object({ followUp }), 'The promise as it now is'),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
    },
  });
  const crmDelivery = z
    .object({
      id: z.string(),
      state: z.enum(['failed', 'waiting', 'delayed', 'active', 'completed']),
      complaintId: z.string(),
      source: z.string(),
      url: z.string(),
      event: z.string(),
      attemptsMade: z.number().int(),
      failedReason: z.string().optional(),
      createdAt: z.iso.datetime(),
      finishedAt: z.iso.datetime().optional(),
    })
    .meta({ id: 'CrmDelivery' });
  registry.registerPath({
    method: 'get',
    path: '/v1/crm-deliveries',
    summary:
      'Status changes sent to the CRMs’ outgoing webhooks, by state — dead letters (failed) by default — with counts (supervisor, admin)',
    request: { query: crmDeliveriesQuery },
    responses: {
      200: json(
        z.object({
          state: z.string(),
          counts: z.record(z.string(), z.number()),
          deliveries: z.array(crmDelivery),
        }),
        'Deliveries, newest first',
      ),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/crm-deliveries/{id}/retry',
    summary: 'Send a dead-lettered CRM delivery again, its attempts starting over (admin)',
    request: { params: crmDeliveryParams },
    responses: {
      202: json(z.object({ delivery: crmDelivery }), 'Queued again'),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  const csat = z
    .object({
      score: z.number().int().min(1).max(5),
      comment: z.string().optional(),
      at: z.iso.datetime(),
      round: z.number().int(),
      via: z.enum(['page', 'api']),
    })
    .meta({ id: 'Csat' });
  registry.registerPath({
    method: 'get',
    path: '/survey/{token}',
    summary:
      'The satisfaction survey page a resolve makes due (public: the signed, expiring link is the permission); bilingual HTML',
    security: [],
    request: { params: surveyParams },
    responses: {
      200: { description: 'The survey form', content: { 'text/html': { schema: z.string() } } },
      ...problemResponses(400, 404, 409, 410, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/survey/{token}',
    summary:
      'Answer the survey: JSON `{ score 1–5, comment? }` from a CRM (201), or the page’s form (a thank-you page); once per resolve',
    security: [],
    request: {
      params: surveyParams,
      body: {
        content: {
          'application/json': { schema: surveyAnswerBody },
          'application/x-www-form-urlencoded': { schema: surveyAnswerBody },
        },
      },
    },
    responses: {
      201: json(z.object({ csat }), 'Stored on the complaint'),
      200: {
        description: 'The page’s thank-you (form posts)',
        content: { 'text/html': { schema: z.string() } },
      },
      ...problemResponses(400, 404, 409, 410, 413, 415, 429),
    },
  });
  const review = z
    .looseObject({
      _id: z.string(),
      complaintId: z.uuid(),
      closeNumber: z.number().int(),
      agentId: z.string().nullable(),
      queue: z.string(),
      category: z.string().nullable(),
      reasons: z.array(z.enum(['random', 'sla-breach', 'reopened', 'low-csat', 'fatal-auto-qa'])),
      status: z.enum(['open', 'assigned', 'scored', 'disputed', 'settled']),
      openedAt: z.iso.datetime(),
      dueAt: z.iso.datetime(),
      reviewer: z.string().nullable(),
      score: z.number().nullable().optional(),
      history: z.array(z.looseObject({ type: z.string(), at: z.iso.datetime(), actor: z.string() })),
    })
    .meta({ id: 'QaReview' });
  const reviewBodyPath = (path: string, summary: string, body: z.ZodType, extra: number[] = []) =>
    registry.registerPath({
      method: 'post',
      path,
      summary,
      request: { params: reviewParams, body: { content: { 'application/json': { schema: body } } } },
      responses: {
        200: json(z.object({ review }), 'The review as it now is'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429, ...extra),
      },
    });
  registry.registerPath({
    method: 'get',
    path: '/v1/qa/reviews',
    summary:
      'QA reviews, newest first: all (supervisor, admin); open ones and their own (qa); the scored reviews of their own handling (agent)',
    request: { query: reviewListQuery },
    responses: {
      200: json(z.object({ reviews: z.array(review) }), 'Reviews'),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/qa/reviews/next',
    summary: 'Take the oldest open review (qa, supervisor, admin)',
    responses: {
      200: json(z.object({ review }), 'Assigned to the caller'),
      204: { description: 'No review is open' },
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/qa/reviews/{id}',
    summary:
      'One review with its ticket (for reviewers: notes, follow-ups, survey, auto-QA results, history and the manual criteria to score)',
    request: { params: reviewParams },
    responses: {
      200: json(z.looseObject({ review, ticket }), 'The review'),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  reviewBodyPath(
    '/v1/qa/reviews/{id}/assign',
    'Give an unscored review to a named reviewer (supervisor, admin)',
    assignReviewBody,
  );
  reviewBodyPath(
    '/v1/qa/reviews/{id}/score',
    "The assigned reviewer scores the card's manual criteria; the ticket's QA score follows",
    scoreBody,
  );
  reviewBodyPath(
    '/v1/qa/reviews/{id}/dispute',
    'The reviewed agent disputes a scored review, once, within the plan’s window',
    disputeBody,
  );
  reviewBodyPath(
    '/v1/qa/reviews/{id}/settle',
    'A supervisor settles a dispute: upheld, or overturned with corrected scores',
    settleBody,
  );
  registry.registerPath({
    method: 'get',
    path: '/v1/agents',
    summary: 'All agents (admin)',
    responses: {
      200: json(z.object({ agents: z.array(agent) }), 'Agents'),
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/agents/{agentId}',
    summary: 'One agent (that agent, supervisor or admin)',
    request: { params: agentParams },
    responses: { 200: json(z.object({ agent }), 'The agent'), ...problemResponses(400, 401, 403, 404, 429) },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/agents/{agentId}',
    summary: 'Create or replace an agent (admin)',
    request: { params: agentParams, body: { content: { 'application/json': { schema: agentBody } } } },
    responses: {
      200: json(z.object({ agent }), 'Replaced'),
      201: json(z.object({ agent }), 'Created'),
      ...problemResponses(400, 401, 403, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/agents/{agentId}/presence',
    summary: 'Go online or offline (offline hands back unstarted tickets)',
    request: { params: agentParams, body: { content: { 'application/json': { schema: presenceBody } } } },
    responses: {
      200: json(z.object({ agent }), 'Presence set'),
      ...problemResponses(400, 401, 403, 404, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/agents/{agentId}/tickets',
    summary: 'The tickets an agent holds',
    request: { params: agentParams, query: listQuery },
    responses: {
      200: json(z.object({ tickets: z.array(ticket) }), 'Tickets'),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/queues',
    summary: 'Depth, active, at-risk and breached tickets per queue',
    responses: {
      200: json(z.object({ queues: z.array(queue) }), 'Queues'),
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/queues/{id}/tickets',
    summary: 'Tickets of one queue (agents: queues whose skills they have)',
    request: { params: z.object({ id: z.string() }), query: listQuery },
    responses: {
      200: json(z.object({ tickets: z.array(ticket) }), 'Tickets'),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  const session = z.object({ role: z.string(), subject: z.string() }).meta({ id: 'Session' });
  registry.registerPath({
    method: 'post',
    path: '/v1/session',
    summary:
      'Browser sign-in (agent, qa, supervisor, admin): send Authorization: Bearer <key>, get a short-lived HttpOnly, SameSite=Strict session cookie',
    responses: {
      200: json(session.extend({ expiresAt: z.iso.datetime() }), 'Signed in; Set-Cookie carries the session'),
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/session',
    summary: 'Who this browser session is',
    responses: { 200: json(session, 'The session'), ...problemResponses(401, 403, 429) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/session',
    summary: 'Sign out (a same-origin request; no key needed)',
    security: [],
    responses: { 204: { description: 'The session cookie is cleared' }, ...problemResponses(403, 429) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/reports',
    summary: 'KPIs per queue, agent and severity over a time range (supervisor, admin); CSV with format=csv',
    request: { query: reportQuery },
    responses: {
      200: {
        description: 'The KPI report',
        content: {
          'application/json': {
            schema: z.looseObject({
              totals: z.looseObject({}),
              byQueue: z.array(z.looseObject({})),
              byAgent: z.array(z.looseObject({})),
              bySeverity: z.array(z.looseObject({})),
            }),
          },
          'text/csv': { schema: z.string() },
        },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/reports/escalations',
    summary: 'Recent SLA warnings, breaches and ladder actions (admin)',
    request: { query: z.object({ limit: z.number().int().min(1).max(200).optional() }) },
    responses: {
      200: json(
        z.object({
          escalations: z.array(
            z.looseObject({ complaintId: z.string(), type: z.string(), at: z.iso.datetime() }),
          ),
        }),
        'Escalations',
      ),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/reports/deadlines',
    summary: 'Open tickets with the nearest deadlines (admin)',
    request: { query: z.object({ limit: z.number().int().min(1).max(200).optional() }) },
    responses: {
      200: json(
        z.object({ tickets: z.array(z.looseObject({ id: z.string(), dueAt: z.iso.datetime() })) }),
        'Deadlines',
      ),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/reports/complaint-rates',
    summary:
      'Complaint counts per product, category, queue and source for the UTC hour and day of `at` (default now), each with its baseline: the same weekday and hour of the previous 4 weeks (supervisor, admin)',
    request: { query: z.object({ at: z.iso.datetime().optional() }) },
    responses: {
      200: json(
        z.object({
          at: z.iso.datetime(),
          hour: bucketView,
          day: bucketView,
          dimensions: z.record(
            z.enum(['total', 'product', 'category', 'queue', 'source']),
            z.array(z.object({ value: z.string(), hour: ratePoint, day: ratePoint })),
          ),
        }),
        'Counts and baselines',
      ),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/reports/alerts',
    summary: 'Open complaint-rate spike alerts, newest first (supervisor, admin)',
    request: { query: z.object({ limit: z.number().int().min(1).max(200).optional() }) },
    responses: {
      200: json(z.object({ alerts: z.array(rateAlert) }), 'Open alerts'),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  return registry;
}
