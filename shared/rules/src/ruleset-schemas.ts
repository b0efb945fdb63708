import { z } from 'zod';
import { customerTiers } from './customer-tiers';
import { severities } from './triage-decision';
import { businessCalendarSchema } from './business-calendar';
import { rulesetLimits } from './ruleset-limits';
import { complaintRatesFileSchema } from './complaint-rates-schema';
import { blocklistFileSchema } from './blocklist-stage';
import { qaSamplingFileSchema } from './qa-sampling-schema';

/** Stages run in this order; each later stage sees the earlier stages' results as facts. */
export const stageNames = ['classify', 'severity', 'sla', 'route'] as const;
export type StageName = (typeof stageNames)[number];

/** An id, tag or rule name: lower-case letters, digits, `.`, `-` and `_`. */
export const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'lower-case letters, digits, ., - and _');
const tagList = z.array(identifier).max(50);

/** What a rule of each stage may set when it fires. */
export const stageParamsSchemas = {
  classify: z
    .object({ category: identifier.optional(), tags: tagList.optional(), flags: tagList.optional() })
    .strict(),
  severity: z
    .object({
      severity: z.enum(severities).optional(),
      priorityBoost: z.number().min(-100).max(100).optional(),
      tags: tagList.optional(),
      flags: tagList.optional(),
    })
    .strict(),
  sla: z
    .object({ slaPolicy: identifier.optional(), calendar: identifier.optional(), tags: tagList.optional() })
    .strict(),
  route: z
    .object({
      queue: identifier.optional(),
      skills: tagList.optional(),
      tags: tagList.optional(),
      flags: tagList.optional(),
    })
    .strict(),
} as const;

export type StageParams = {
  [K in StageName]: z.output<(typeof stageParamsSchemas)[K]>;
};

/** A json-rules-engine condition (recursive: all / any / not / condition reference / leaf). */
export type RuleCondition =
  | { all: RuleCondition[]; name?: string; priority?: number }
  | { any: RuleCondition[]; name?: string; priority?: number }
  | { not: RuleCondition; name?: string; priority?: number }
  | { condition: string; name?: string; priority?: number }
  | {
      fact: string;
      operator: string;
      value: unknown;
      path?: string;
      params?: Record<string, unknown>;
      name?: string;
      priority?: number;
    };

export const ruleConditionSchema: z.ZodType<RuleCondition> = z.lazy(() =>
  z.union([
    z
      .object({
        all: z.array(ruleConditionSchema).min(1),
        name: z.string().optional(),
        priority: z.number().int().min(1).optional(),
      })
      .strict(),
    z
      .object({
        any: z.array(ruleConditionSchema).min(1),
        name: z.string().optional(),
        priority: z.number().int().min(1).optional(),
      })
      .strict(),
    z
      .object({
        not: ruleConditionSchema,
        name: z.string().optional(),
        priority: z.number().int().min(1).optional(),
      })
      .strict(),
    z
      .object({
        condition: z.string(),
        name: z.string().optional(),
        priority: z.number().int().min(1).optional(),
      })
      .strict(),
    z
      .object({
        fact: z.string().min(1),
        operator: z.string().min(1),
        value: z.unknown(),
        path: z
          .string()
          .regex(/^\$(\.[A-Za-z0-9_]+)+$/, 'a JSONPath such as $.tier')
          .optional(),
        params: z.record(z.string(), z.unknown()).optional(),
        name: z.string().optional(),
        priority: z.number().int().min(1).optional(),
      })
      .strict()
      .refine((leaf) => 'value' in leaf, { message: 'a condition needs a value', path: ['value'] }),
  ]),
);

export const topLevelConditionSchema = z.union([
  z.object({ all: z.array(ruleConditionSchema) }).strict(),
  z.object({ any: z.array(ruleConditionSchema) }).strict(),
  z.object({ not: ruleConditionSchema }).strict(),
  z.object({ condition: z.string() }).strict(),
]);

function stageFileSchema<K extends StageName>(stage: K) {
  const params = stageParamsSchemas[stage];
  return z
    .object({
      $schema: z.string().optional(),
      stage: z.literal(stage),
      description: z.string().optional(),
      defaults: params.optional(),
      rules: z
        .array(
          z
            .object({
              name: identifier,
              description: z.string().optional(),
              priority: z.number().int().min(1).max(1000).default(1),
              conditions: topLevelConditionSchema,
              event: z.object({ type: z.literal(stage), params }).strict(),
            })
            .strict(),
        )
        .max(
          rulesetLimits.maxRulesPerStage,
          `more than ${rulesetLimits.maxRulesPerStage} rules in one stage`,
        ),
    })
    .strict();
}

export const stageFileSchemas = {
  classify: stageFileSchema('classify'),
  severity: stageFileSchema('severity'),
  sla: stageFileSchema('sla'),
  route: stageFileSchema('route'),
} as const;

export interface StageRule<K extends StageName = StageName> {
  name: string;
  description?: string;
  priority: number;
  conditions: z.output<typeof topLevelConditionSchema>;
  event: { type: K; params: StageParams[K] };
}

export interface StageFile<K extends StageName = StageName> {
  $schema?: string;
  stage: K;
  description?: string;
  defaults?: StageParams[K];
  rules: StageRule<K>[];
}

export const slaPolicySchema = z
  .object({
    id: identifier,
    description: z.string().optional(),
    severity: z.enum(severities).optional(),
    tiers: z.array(z.enum(customerTiers)).min(1).optional(),
    calendar: identifier,
    firstResponseMinutes: z.number().positive(),
    resolutionMinutes: z.number().positive(),
  })
  .strict()
  .refine((policy) => policy.resolutionMinutes >= policy.firstResponseMinutes, {
    message: 'resolutionMinutes must be at least firstResponseMinutes',
    path: ['resolutionMinutes'],
  });
export type SlaPolicy = z.output<typeof slaPolicySchema>;

export const slaPoliciesFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    policies: z.array(slaPolicySchema).min(1),
  })
  .strict();

export const calendarsFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    calendars: z.array(businessCalendarSchema).min(1),
  })
  .strict();

/** What an escalation step does: raise the ticket's priority, move it to another queue, call a webhook. */
export const escalationActionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('raise-priority'),
      /** Points added to the ticket's priority score (the queue order). */
      by: z.number().positive().max(1000),
    })
    .strict(),
  z
    .object({
      type: z.literal('move-queue'),
      to: identifier,
      /** Also take it from an agent who is working it (acknowledged); else they keep it and the supervisor is told. */
      force: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('notify'),
      /** Receives a POST signed like incoming webhooks (X-Triage-Signature). */
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    })
    .strict(),
]);
export type EscalationAction = z.output<typeof escalationActionSchema>;

/**
 * One rung of a queue's escalation ladder. `after` is `"warning"` (at `warningShare` of the
 * time to the deadline), `"breach"` (at the deadline) or a number of minutes after the breach
 * (fractional minutes allowed, so tests can run second-scale ladders).
 */
export const escalationStepSchema = z
  .object({
    after: z.union([z.literal('warning'), z.literal('breach'), z.number().positive().max(525_600)]),
    description: z.string().optional(),
    actions: z.array(escalationActionSchema).min(1),
  })
  .strict();
export type EscalationStep = z.output<typeof escalationStepSchema>;

export const escalationLadderSchema = z
  .object({
    /** Share of the time from receipt to the deadline at which the SLA warning fires. */
    warningShare: z.number().gt(0).lt(1).default(0.75),
    steps: z.array(escalationStepSchema).default([]),
  })
  .strict()
  .superRefine((ladder, ctx) => {
    const seen = new Map<string, number>();
    ladder.steps.forEach((step, index) => {
      const key = String(step.after);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'after'],
          message: `steps[${first}] already fires at ${key}; put both steps' actions in one step`,
        });
    });
  });
export type EscalationLadder = z.output<typeof escalationLadderSchema>;

/**
 * What happens to an agent's promise to call the customer back: a reminder to whoever holds the
 * ticket `remindBeforeMinutes` before it is due; when it is missed, a `follow-up.missed` event in
 * the supervisors' escalation feed and, with `notify`, a signed POST there.
 */
export const followUpPolicySchema = z
  .object({
    remindBeforeMinutes: z.number().min(0).max(10_080).default(15),
    /** Receives a POST signed like the notify actions when a promise is missed. */
    notify: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  })
  .strict();
export type FollowUpPolicy = z.output<typeof followUpPolicySchema>;

export const queueDefinitionSchema = z
  .object({
    id: identifier,
    name: z.string().min(1),
    description: z.string().optional(),
    skills: z.array(identifier).default([]),
    calendar: identifier.optional(),
    /** pull: agents claim; push: the router assigns to the least-loaded online agent with the skills. */
    mode: z.enum(['pull', 'push']).default('pull'),
    /** SLA warning and escalation steps; without it a queue still warns at 75 % and records breaches. */
    escalation: escalationLadderSchema.default({ warningShare: 0.75, steps: [] }),
    /** Agents' follow-up promises on this queue's tickets: when to remind, whom to tell when one is missed. */
    followUps: followUpPolicySchema.optional(),
  })
  .strict();
export type QueueDefinition = z.output<typeof queueDefinitionSchema>;

export const queuesFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    defaultQueue: identifier,
    queues: z.array(queueDefinitionSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.queues.forEach((queue, index) => {
      const first = seen.get(queue.id);
      if (first === undefined) seen.set(queue.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['queues', index, 'id'],
          message: `duplicate queue id "${queue.id}" (also queues[${first}])`,
        });
    });
  });
export type QueuesFile = z.output<typeof queuesFileSchema>;

/** How an agent may close a case: the codes a resolve names (rules/resolution-codes.json). */
export const resolutionCodeSchema = z
  .object({
    id: identifier,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
  })
  .strict();
export type ResolutionCode = z.output<typeof resolutionCodeSchema>;

export const resolutionCodesFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    codes: z.array(resolutionCodeSchema).min(1).max(500),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.codes.forEach((code, index) => {
      const first = seen.get(code.id);
      if (first === undefined) seen.set(code.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['codes', index, 'id'],
          message: `duplicate resolution code "${code.id}" (also codes[${first}])`,
        });
    });
  });

/** What a QA rule says about one scorecard criterion when it fires. */
export const qaResults = ['pass', 'fail'] as const;
export type QaResult = (typeof qaResults)[number];

/** The params of a QA rule (rules/qa.json): the criterion it scores, how, and why. */
export const qaParamsSchema = z
  .object({
    /** A criterion id of rules/qa-scorecards.json (kind `auto`). */
    criterion: identifier,
    result: z.enum(qaResults),
    /** Points awarded; by default the criterion's points on a pass, 0 on a fail. */
    points: z.number().min(0).max(1000).optional(),
    /** Tags put on the ticket's QA result (`sla-breach`, `forbidden-phrase`). */
    tags: tagList.optional(),
    /** Why, in words a reviewer and the agent read (bilingual where the team is). */
    reason: z.string().min(1).max(500),
  })
  .strict();
export type QaParams = z.output<typeof qaParamsSchema>;

/** rules/qa.json: the auto-QA stage, evaluated once when a ticket closes. */
export const qaFileSchema = z
  .object({
    $schema: z.string().optional(),
    stage: z.literal('qa'),
    description: z.string().optional(),
    rules: z
      .array(
        z
          .object({
            name: identifier,
            description: z.string().optional(),
            priority: z.number().int().min(1).max(1000).default(1),
            conditions: topLevelConditionSchema,
            event: z.object({ type: z.literal('qa'), params: qaParamsSchema }).strict(),
          })
          .strict(),
      )
      .max(rulesetLimits.maxRulesPerStage, `more than ${rulesetLimits.maxRulesPerStage} rules in one stage`),
  })
  .strict();
export type QaFile = z.output<typeof qaFileSchema>;
export type QaRule = QaFile['rules'][number];

const bilingualName = z.object({ en: z.string().min(1).max(200), zh: z.string().min(1).max(200) }).strict();

/** One line of a scorecard: scored by QA rules (`auto`) or by a reviewer (`manual`). */
export const qaCriterionSchema = z
  .object({
    id: identifier,
    name: bilingualName,
    description: z.string().max(2000).optional(),
    kind: z.enum(['auto', 'manual']),
    /** The criterion's weight: the points a pass earns at most. */
    points: z.number().positive().max(1000),
    /** A failed fatal criterion makes the whole QA score 0. */
    fatal: z.boolean().default(false),
  })
  .strict();
export type QaCriterion = z.output<typeof qaCriterionSchema>;

export const qaScorecardSchema = z
  .object({
    id: identifier,
    name: bilingualName,
    description: z.string().max(2000).optional(),
    /** Which tickets use the card: their final queue and their category (both, when both are named). */
    appliesTo: z
      .object({
        queues: z.array(identifier).min(1).optional(),
        categories: z.array(identifier).min(1).optional(),
      })
      .strict()
      .optional(),
    criteria: z.array(qaCriterionSchema).min(1).max(100),
  })
  .strict()
  .superRefine((card, ctx) => {
    const seen = new Map<string, number>();
    card.criteria.forEach((criterion, index) => {
      const first = seen.get(criterion.id);
      if (first === undefined) seen.set(criterion.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', index, 'id'],
          message: `duplicate criterion "${criterion.id}" (also criteria[${first}])`,
        });
    });
  });
export type QaScorecard = z.output<typeof qaScorecardSchema>;

/** rules/qa-scorecards.json: the cards, their criteria and weights, and which tickets use which. */
export const qaScorecardsFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    /** The card of a ticket no card's appliesTo matches. */
    defaultScorecard: identifier,
    scorecards: z.array(qaScorecardSchema).min(1).max(100),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.scorecards.forEach((card, index) => {
      const first = seen.get(card.id);
      if (first === undefined) seen.set(card.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['scorecards', index, 'id'],
          message: `duplicate scorecard "${card.id}" (also scorecards[${first}])`,
        });
    });
    if (!file.scorecards.some((card) => card.id === file.defaultScorecard)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultScorecard'],
        message: `unknown scorecard "${file.defaultScorecard}"`,
      });
    }
  });
export type QaScorecardsFile = z.output<typeof qaScorecardsFileSchema>;

/** Every file the ruleset is made of, by its path relative to rules/. */
export const rulesetFileSchemas = {
  'classify.json': stageFileSchemas.classify,
  'severity.json': stageFileSchemas.severity,
  'sla.json': stageFileSchemas.sla,
  'route.json': stageFileSchemas.route,
  'sla-policies.json': slaPoliciesFileSchema,
  'calendars.json': calendarsFileSchema,
  'queues.json': queuesFileSchema,
  'resolution-codes.json': resolutionCodesFileSchema,
  'complaint-rates.json': complaintRatesFileSchema,
  'blocklist.json': blocklistFileSchema,
  'qa-sampling.json': qaSamplingFileSchema,
  'qa.json': qaFileSchema,
  'qa-scorecards.json': qaScorecardsFileSchema,
} as const;
export type RulesetFileName = keyof typeof rulesetFileSchemas;
export const rulesetFileNames = Object.keys(rulesetFileSchemas) as RulesetFileName[];
