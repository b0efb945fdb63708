import { createOpenApiRegistry, problemResponses, type OpenAPIRegistry } from '@triage/shared/http';
import { z } from 'zod';
import { blockSchema, confirmSchema, customerParams } from './blocklist-router';
import { dryRunSchema, qaDryRunSchema, qaReplaySchema, replaySchema, validateSchema } from './rules-router';

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const ruleError = z
  .object({ file: z.string(), path: z.string(), message: z.string() })
  .meta({ id: 'RuleError' });
const blocklistEntry = z
  .looseObject({
    customerId: z.string(),
    until: z.iso.datetime(),
    reason: z.string(),
    addedBy: z.string(),
    active: z.boolean(),
  })
  .meta({ id: 'BlocklistEntry' });

/** The answers of a rule tool that runs in a thread within a time budget (dry-run, replay). */
function ruleToolProblems(tool: string) {
  const responses = problemResponses(422, 503);
  return {
    422: {
      ...responses['422'],
      description: `The ruleset took longer than RULES_TOOL_BUDGET_MS (or more memory than a tool thread may use) to ${tool}; it was stopped`,
    },
    503: {
      ...responses['503'],
      description: 'Every rule-tool thread (RULES_TOOL_THREADS) is busy; see Retry-After',
    },
  };
}

/** The worker's admin API, described from the zod schemas that validate it. */
export function workerOpenApi(): OpenAPIRegistry {
  const registry = createOpenApiRegistry();
  registry.registerPath({
    method: 'get',
    path: '/v1/rules',
    summary: 'The live ruleset: version, files, last rejected change',
    responses: {
      200: json(
        z.looseObject({
          version: z.string().nullable(),
          files: z.array(z.string()),
          errors: z.array(ruleError),
        }),
        'Status',
      ),
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/rules/validate',
    summary: 'Validate candidate rule files laid over the live ones (nothing changes)',
    request: { body: { content: { 'application/json': { schema: validateSchema } } } },
    responses: {
      200: json(
        z.looseObject({ ok: z.boolean(), errors: z.array(ruleError), version: z.string().nullable() }),
        'The verdict',
      ),
      ...problemResponses(400, 401, 403, 413, 415, 429),
      ...ruleToolProblems('validate'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/rules/dry-run',
    summary: 'Decide one complaint with the current or candidate rules; nothing is stored',
    request: { body: { content: { 'application/json': { schema: dryRunSchema } } } },
    responses: {
      200: json(
        z.looseObject({
          decision: z.looseObject({}),
          trace: z.array(z.looseObject({})).meta({
            description: 'The rules evaluated, in evaluation order, each with its condition trace',
          }),
          skippedRules: z.array(z.string()).meta({
            description:
              'The rules (stage/rule) not evaluated because the index proved they cannot fire for this complaint',
          }),
          blocklist: z
            .looseObject({
              fired: z.array(z.looseObject({})),
              trace: z.array(z.looseObject({})),
              listing: z.looseObject({}).nullable(),
            })
            .meta({
              description:
                'What rules/blocklist.json would do after the decision, over history.triaged and this complaint',
            }),
        }),
        'Decision and condition trace',
      ),
      ...problemResponses(400, 401, 403, 413, 415, 429),
      ...ruleToolProblems('dry-run'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/rules/replay',
    summary: 'Candidate vs current rules over the newest stored complaints (read-only)',
    request: { body: { content: { 'application/json': { schema: replaySchema } } } },
    responses: {
      200: json(
        z.looseObject({
          compared: z.number(),
          changed: z.record(z.string(), z.number()),
          examples: z.array(z.looseObject({})),
        }),
        'What would change',
      ),
      ...problemResponses(400, 401, 403, 413, 415, 429),
      ...ruleToolProblems('replay'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/rules/qa/dry-run',
    summary:
      'Score one ticket (stored, or pretended) with the current or candidate QA rules; nothing is stored',
    request: { body: { content: { 'application/json': { schema: qaDryRunSchema } } } },
    responses: {
      200: json(
        z.looseObject({
          rulesetVersion: z.string(),
          complaintId: z.string(),
          facts: z.looseObject({}).meta({ description: 'The QA facts of the ticket (rules/README.md)' }),
          qa: z.looseObject({
            scorecard: z.string(),
            score: z.number().nullable(),
            fatal: z.boolean(),
            criteria: z.array(z.looseObject({})),
            trace: z.array(z.looseObject({})),
          }),
          stored: z.looseObject({}).nullable().meta({ description: 'The QA result stored at its close' }),
        }),
        'QA score, the rules that decided each criterion, and the condition trace',
      ),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
      ...ruleToolProblems('dry-run'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/rules/qa/replay',
    summary: 'Candidate vs current QA rules over the most recently closed tickets (read-only)',
    request: { body: { content: { 'application/json': { schema: qaReplaySchema } } } },
    responses: {
      200: json(
        z.looseObject({
          compared: z.number(),
          changed: z.record(z.string(), z.number()),
          meanScore: z.looseObject({}),
          examples: z.array(z.looseObject({})),
        }),
        'What scores would change',
      ),
      ...problemResponses(400, 401, 403, 413, 415, 429),
      ...ruleToolProblems('replay'),
    },
  });

  registry.registerPath({
    method: 'put',
    path: '/v1/blocklist/{customerId}',
    summary: 'Blocklist a customer until a date, with a reason; who did it is recorded',
    request: { params: customerParams, body: { content: { 'application/json': { schema: blockSchema } } } },
    responses: {
      200: json(blocklistEntry, 'Updated'),
      201: json(blocklistEntry, 'Created'),
      ...problemResponses(400, 401, 403, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/blocklist',
    summary: 'Entries in force (include=all: every entry ever made)',
    request: { query: z.object({ include: z.enum(['active', 'all']).optional() }) },
    responses: {
      200: json(z.looseObject({ count: z.number().int(), entries: z.array(blocklistEntry) }), 'Entries'),
      ...problemResponses(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/blocklist/{customerId}',
    summary: 'One customer’s entry, in force or not (supervisor, admin)',
    request: { params: customerParams },
    responses: {
      200: json(blocklistEntry, 'The entry'),
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/blocklist/{customerId}/confirm',
    summary:
      'Confirm a rule listing (rules/blocklist.json) before its deadline: only its named reviewer or an admin',
    request: { params: customerParams, body: { content: { 'application/json': { schema: confirmSchema } } } },
    responses: {
      200: json(blocklistEntry, 'Confirmed: the customer stays listed until the entry’s until'),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/blocklist/{customerId}',
    summary: 'Take a customer off the list (kept in history with who and why)',
    request: { params: customerParams, query: z.object({ reason: z.string().optional() }) },
    responses: { 200: json(blocklistEntry, 'Removed'), ...problemResponses(400, 401, 403, 404, 429) },
  });
  return registry;
}
