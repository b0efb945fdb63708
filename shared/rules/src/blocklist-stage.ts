/**
 * The blocklist stage (rules/blocklist.json): rules that put a customer on the blocklist for a
 * period, evaluated by the worker after each complaint's triage decision, over the customer's
 * recently triaged complaints. Kept apart from the four triage stages on purpose: it runs on
 * plain json-rules-engine (with triage's operators), not the compiled evaluator, and it decides
 * nothing about the complaint itself — only whether its customer is listed.
 */
import { Engine, type RuleResult } from 'json-rules-engine';
import { z } from 'zod';
import { staticFacts, type ComplaintFacts } from './facts';
import { baseOperatorOf, knownOperators, validateOperatorValue } from './operators/operator-catalogue';
import { registerOperators } from './operators/custom-operators';
import type { RuleError } from './load-ruleset';
import { rulesetLimits } from './ruleset-limits';
import { topLevelConditionSchema, type RuleCondition } from './ruleset-schemas';
import type { FiredRule, RuleTrace, TriageDecision } from './triage-decision';

export const blocklistStage = 'blocklist';
export const blocklistFile = 'blocklist.json';

/** How long a rule listing lasts, as data: a rule names one. */
export const blocklistPeriods = ['day', 'week', 'month'] as const;
export type BlocklistPeriod = (typeof blocklistPeriods)[number];
export const blocklistPeriodMs: Record<BlocklistPeriod, number> = {
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};

/** The longest window (hours) a window fact may look back: the history keeps about a month. */
export const maxWindowHours = 744;
/** The longest a reviewer may be given to confirm a listing (30 days). */
export const maxConfirmWithinHours = 720;

/** Who may confirm a listing: a named supervisor or admin, as their key's `role:subject`. */
export const reviewerSchema = z
  .string()
  .regex(/^(supervisor|admin):[^\s:,]{1,100}$/, 'a named reviewer as role:name, e.g. "supervisor:wang"');

export const blocklistParamsSchema = z
  .object({
    period: z.enum(blocklistPeriods),
    reviewer: reviewerSchema,
    /** Hours the reviewer has to confirm; fractions allowed (tests run second-scale deadlines). */
    confirmWithinHours: z.number().positive().max(maxConfirmWithinHours),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export type BlocklistParams = z.output<typeof blocklistParamsSchema>;

const identifier = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'lower-case letters, digits, ., - and _');

export const blocklistFileSchema = z
  .object({
    $schema: z.string().optional(),
    stage: z.literal(blocklistStage),
    description: z.string().optional(),
    rules: z
      .array(
        z
          .object({
            name: identifier,
            description: z.string().optional(),
            priority: z.number().int().min(1).max(1000).default(1),
            // Lazy: ruleset-schemas.ts imports this file (rulesetFileSchemas), so the two load in a cycle.
            conditions: z.lazy(() => topLevelConditionSchema),
            event: z.object({ type: z.literal(blocklistStage), params: blocklistParamsSchema }).strict(),
          })
          .strict(),
      )
      .max(rulesetLimits.maxRulesPerStage, `more than ${rulesetLimits.maxRulesPerStage} rules in one stage`),
  })
  .strict();
export type BlocklistFile = z.output<typeof blocklistFileSchema>;
export type BlocklistRule = BlocklistFile['rules'][number];

/**
 * One of the customer's triaged complaints as the blocklist stage counts it: kept in the
 * customer's history document when the complaint is triaged (ADR 0007).
 */
export interface TriagedHistoryEntry {
  id: string;
  /** When the complaint was received. */
  at: Date;
  tags: string[];
  flags: string[];
  /** Whether the source named a product. */
  product: boolean;
}

/** The facts a blocklist rule may use; rules/README.md documents the same list. */
export const blocklistFactCatalogue = {
  complaintsWithin:
    "the customer's triaged complaints received in the params.hours (default 24) up to this one, this one included",
  taggedWithin: 'the same, counting those whose decision has the tag params.tag (e.g. "abuse")',
  flaggedWithin: 'the same, counting those whose decision has the flag params.flag (e.g. "abusive-caller")',
  withoutProductWithin: 'the same, counting those whose source named no product',
  category: "this complaint's category",
  severity: "this complaint's severity",
  queue: "this complaint's queue",
  tags: "this complaint's tags",
  flags: "this complaint's flags",
  customerId: "the customer's id",
  customerTier: 'standard | silver | gold | platinum | vip',
  channel: 'the channel of this complaint',
  source: 'the CRM source of this complaint',
  product: 'the product this complaint names ("" when none)',
  language: 'the BCP 47 language tag of this complaint',
} as const;
const knownBlocklistFacts: ReadonlySet<string> = new Set(Object.keys(blocklistFactCatalogue));
const windowFacts = new Set(['complaintsWithin', 'taggedWithin', 'flaggedWithin', 'withoutProductWithin']);

function checkWindowParams(
  fact: string,
  params: Record<string, unknown> | undefined,
  pointer: string,
  errors: RuleError[],
): void {
  const hours = params?.hours;
  if (hours !== undefined && (typeof hours !== 'number' || !(hours > 0) || hours > maxWindowHours)) {
    errors.push({
      file: blocklistFile,
      path: `${pointer}/params/hours`,
      message: `hours must be a number above 0 and at most ${maxWindowHours}`,
    });
  }
  const key = fact === 'taggedWithin' ? 'tag' : fact === 'flaggedWithin' ? 'flag' : undefined;
  if (key !== undefined && !identifier.safeParse(params?.[key]).success) {
    errors.push({
      file: blocklistFile,
      path: `${pointer}/params/${key}`,
      message: `${fact} needs params.${key}: the ${key} to count (lower-case letters, digits, ., - and _)`,
    });
  }
}

function checkCondition(condition: RuleCondition, pointer: string, errors: RuleError[]): void {
  if ('all' in condition) condition.all.forEach((c, i) => checkCondition(c, `${pointer}/all/${i}`, errors));
  else if ('any' in condition)
    condition.any.forEach((c, i) => checkCondition(c, `${pointer}/any/${i}`, errors));
  else if ('not' in condition) checkCondition(condition.not, `${pointer}/not`, errors);
  else if ('condition' in condition) {
    errors.push({
      file: blocklistFile,
      path: `${pointer}/condition`,
      message: 'shared condition references are not supported; write the condition inline',
    });
  } else {
    if (!knownBlocklistFacts.has(condition.fact)) {
      errors.push({
        file: blocklistFile,
        path: `${pointer}/fact`,
        message: `unknown fact "${condition.fact}" for the blocklist stage (see rules/README.md, Automatic blocklisting)`,
      });
    } else if (windowFacts.has(condition.fact)) {
      checkWindowParams(condition.fact, condition.params, pointer, errors);
    }
    const base = baseOperatorOf(condition.operator);
    if (!knownOperators.has(base)) {
      errors.push({
        file: blocklistFile,
        path: `${pointer}/operator`,
        message: `unknown operator "${condition.operator}"`,
      });
    } else if (base === 'matchesRegex') {
      // Regexes belong to the triage stages (their count is bounded per ruleset there).
      errors.push({
        file: blocklistFile,
        path: `${pointer}/operator`,
        message: 'matchesRegex is not available in the blocklist stage; tag the complaint in a triage stage',
      });
    } else {
      const problem = validateOperatorValue(condition.operator, condition.value);
      if (problem) errors.push({ file: blocklistFile, path: `${pointer}/value`, message: problem });
    }
  }
}

/**
 * What the worker checks beyond the schema: known facts and operators, window parameters,
 * operator values and unique rule names. Errors name rules/blocklist.json and the JSON path.
 */
export function checkBlocklistFile(file: BlocklistFile): RuleError[] {
  const errors: RuleError[] = [];
  const seen = new Set<string>();
  file.rules.forEach((rule, index) => {
    if (seen.has(rule.name)) {
      errors.push({
        file: blocklistFile,
        path: `/rules/${index}/name`,
        message: `duplicate rule name "${rule.name}"`,
      });
    }
    seen.add(rule.name);
    checkCondition(rule.conditions as RuleCondition, `/rules/${index}/conditions`, errors);
  });
  return errors;
}

/** What the blocklist stage sees of one triaged complaint and its customer. */
export interface BlocklistStageInput {
  complaint: ComplaintFacts;
  decision: Pick<TriageDecision, 'category' | 'severity' | 'queue' | 'tags' | 'flags'>;
  /** The customer's triaged complaints (this one included; repeats of an id count once). */
  history: readonly TriagedHistoryEntry[];
  /**
   * Complaints received at or before this instant are not counted: the evidence of an earlier
   * listing that has ended (lapsed, removed or expired) does not list the customer again.
   */
  countAfter?: Date;
}

export interface BlocklistStageOutcome {
  /** The rules that fired, highest priority first (then file order); the first one lists. */
  fired: FiredRule[];
  /** Every rule evaluated, with json-rules-engine's condition results. */
  trace: RuleTrace[];
}

/**
 * The window counts of one complaint: complaints received in `(receivedAt − hours, receivedAt]`
 * (and after `countAfter`), each id once. As of the complaint's receipt, so a late triage or a
 * replayed job counts exactly what a prompt one did.
 */
export function windowCounter(input: BlocklistStageInput) {
  const receivedAt = input.complaint.receivedAt.getTime();
  const after = input.countAfter?.getTime() ?? Number.NEGATIVE_INFINITY;
  const byId = new Map<string, TriagedHistoryEntry>();
  for (const entry of input.history) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  const entries = [...byId.values()];
  return (hours: unknown, keep: (entry: TriagedHistoryEntry) => boolean = () => true): number => {
    const window = typeof hours === 'number' && hours > 0 ? Math.min(hours, maxWindowHours) : 24;
    const since = receivedAt - window * 3_600_000;
    let count = 0;
    for (const entry of entries) {
      const time = entry.at.getTime();
      if (time > since && time <= receivedAt && time > after && keep(entry)) count += 1;
    }
    return count;
  };
}

/**
 * Runs the blocklist rules over one triaged complaint with json-rules-engine and triage's
 * operators. A fresh engine per evaluation (the window facts belong to the complaint); the
 * stage holds a handful of rules, so that costs microseconds, and only once per complaint.
 */
export async function evaluateBlocklistStage(
  file: BlocklistFile,
  input: BlocklistStageInput,
  now: Date = new Date(),
): Promise<BlocklistStageOutcome> {
  if (file.rules.length === 0) return { fired: [], trace: [] };
  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  registerOperators(engine, () => now.getTime());
  const count = windowCounter(input);
  type WindowParams = { hours?: unknown; tag?: unknown; flag?: unknown };
  engine.addFact('complaintsWithin', (params: WindowParams) => count(params?.hours));
  engine.addFact('taggedWithin', (params: WindowParams) =>
    count(params?.hours, (entry) => entry.tags.includes(String(params?.tag))),
  );
  engine.addFact('flaggedWithin', (params: WindowParams) =>
    count(params?.hours, (entry) => entry.flags.includes(String(params?.flag))),
  );
  engine.addFact('withoutProductWithin', (params: WindowParams) =>
    count(params?.hours, (entry) => !entry.product),
  );
  const order = new Map<string, number>();
  file.rules.forEach((rule, index) => {
    order.set(rule.name, index);
    engine.addRule({
      name: rule.name,
      priority: rule.priority,
      conditions: rule.conditions as never,
      event: rule.event,
    });
  });
  const facts = staticFacts(input.complaint, now);
  const { results, failureResults } = await engine.run({
    category: input.decision.category,
    severity: input.decision.severity,
    queue: input.decision.queue,
    tags: [...input.decision.tags],
    flags: [...input.decision.flags],
    customerId: facts.customerId,
    customerTier: facts.customerTier,
    channel: facts.channel,
    source: facts.source,
    product: facts.product,
    language: facts.language,
  });
  const byPriority = (a: RuleResult, b: RuleResult) =>
    (b.priority ?? 1) - (a.priority ?? 1) ||
    (order.get(String(a.name)) ?? 0) - (order.get(String(b.name)) ?? 0);
  const fired = [...results].sort(byPriority).map((result) => ({
    stage: blocklistStage,
    rule: String(result.name),
    priority: result.priority ?? 1,
    params: (result.event?.params ?? {}) as Record<string, unknown>,
  }));
  const trace = [...results, ...failureResults].sort(byPriority).map((result) => ({
    stage: blocklistStage,
    rule: String(result.name),
    fired: result.result,
    conditions: result.conditions as unknown,
  }));
  return { fired, trace };
}

/** A listing a fired rule asks for: its owner, reviewer and deadlines, from `now`. */
export interface RuleListing {
  owner: string;
  rule: string;
  period: BlocklistPeriod;
  reviewer: string;
  reason: string;
  until: Date;
  confirmBy: Date;
}

/** The listing the first fired rule asks for (undefined when none fired). */
export function listingOf(outcome: BlocklistStageOutcome, now: Date): RuleListing | undefined {
  const first = outcome.fired[0];
  if (!first) return undefined;
  const params = first.params as BlocklistParams;
  return {
    owner: `rule:${first.rule}`,
    rule: first.rule,
    period: params.period,
    reviewer: params.reviewer,
    reason: params.reason,
    until: new Date(now.getTime() + blocklistPeriodMs[params.period]),
    confirmBy: new Date(now.getTime() + params.confirmWithinHours * 3_600_000),
  };
}
