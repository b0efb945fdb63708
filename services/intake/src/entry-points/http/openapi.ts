import { complaintInputSchema, complaintStatuses } from '@triage/shared/complaint';
import { createOpenApiRegistry, problemResponses, type OpenAPIRegistry } from '@triage/shared/http';
import { z } from 'zod';

const accepted = z
  .object({
    id: z.uuid(),
    status: z.enum(complaintStatuses),
    duplicate: z.boolean(),
  })
  .meta({
    id: 'Accepted',
    description: '202 for a new complaint, 200 with the original id for a duplicate.',
  });

const event = z
  .object({
    type: z.string(),
    at: z.iso.datetime(),
    actor: z.string().optional(),
    requestId: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ComplaintEvent' });

const storedComplaint = z
  .looseObject({
    id: z.uuid(),
    status: z.string(),
    source: z.string(),
    receivedAt: z.iso.datetime(),
    decision: z
      .looseObject({
        category: z.string(),
        severity: z.enum(['low', 'medium', 'high', 'critical']),
        priority: z.object({ score: z.number(), components: z.record(z.string(), z.number()) }),
        firstResponseDueAt: z.iso.datetime(),
        resolutionDueAt: z.iso.datetime(),
        queue: z.string(),
        tags: z.array(z.string()),
        rulesetVersion: z.string(),
      })
      .optional(),
    events: z.array(event),
  })
  .meta({
    id: 'StoredComplaint',
    description: 'The complaint as stored, with its triage decision and history.',
  });

const idParam = z.object({ id: z.uuid() });

/** The intake API, described from the same zod schemas that validate it. */
export function intakeOpenApi(): OpenAPIRegistry {
  const registry = createOpenApiRegistry();
  // complaintInputSchema is made by a pure module before zod is extended for OpenAPI, so the spec
  // uses a named copy of it (zod 4 gives a schema its methods when it is created).
  const complaintInput = complaintInputSchema.meta({ id: 'ComplaintInput' });
  registry.registerPath({
    method: 'post',
    path: '/v1/complaints',
    summary: 'Submit a complaint (any role; a crm key for its own source only)',
    description:
      'Durable in MongoDB before the answer. Unknown fields are rejected. Idempotency-Key or (source, externalId) make retries safe.',
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().max(200).optional() }),
      body: { content: { 'application/json': { schema: complaintInput } } },
    },
    responses: {
      202: { description: 'Accepted and stored', content: { 'application/json': { schema: accepted } } },
      200: {
        description: 'A duplicate of an earlier submission',
        content: { 'application/json': { schema: accepted } },
      },
      ...problemResponses(400, 401, 403, 413, 415, 429, 503),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks/{source}',
    summary: 'A CRM delivery, signed with the source secret',
    description:
      'X-Triage-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">. The payload is mapped by rules/sources/<source>.json.',
    security: [],
    request: {
      params: z.object({ source: z.string() }),
      headers: z.object({ 'X-Triage-Signature': z.string() }),
      body: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
    },
    responses: {
      202: { description: 'Accepted and stored', content: { 'application/json': { schema: accepted } } },
      200: { description: 'A duplicate delivery', content: { 'application/json': { schema: accepted } } },
      ...problemResponses(400, 401, 404, 413, 415, 429, 503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/complaints/{id}',
    summary: 'A complaint with its decision and history',
    request: { params: idParam },
    responses: {
      200: { description: 'The complaint', content: { 'application/json': { schema: storedComplaint } } },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/complaints/{id}/events',
    summary: 'The event history of a complaint, in order',
    request: { params: idParam },
    responses: {
      200: {
        description: 'Events',
        content: { 'application/json': { schema: z.object({ id: z.uuid(), events: z.array(event) }) } },
      },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  return registry;
}
