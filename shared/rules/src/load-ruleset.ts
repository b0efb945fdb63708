import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { severities } from './triage-decision';
import type { BusinessCalendar } from './business-calendar';
import { categoryDependentFacts, knownFacts } from './facts';
import { knownQaFacts } from './qa/qa-facts';
import { baseOperatorOf, knownOperators, validateOperatorValue } from './operators/operator-catalogue';
import {
  rulesetFileNames,
  rulesetFileSchemas,
  stageNames,
  type QaFile,
  type QaScorecardsFile,
  type QueuesFile,
  type ResolutionCode,
  type RuleCondition,
  type RulesetFileName,
  type SlaPolicy,
  type StageFile,
  type StageName,
} from './ruleset-schemas';
import type { ComplaintRatesFile } from './complaint-rates-schema';
import type { QaSamplingFile } from './qa-sampling-schema';
import { firstTooDeep, firstTooDeepCondition, rulesetLimits } from './ruleset-limits';
import { blocklistFile, blocklistStage, checkBlocklistFile, type BlocklistFile } from './blocklist-stage';

/** A problem in a rule file, located by file and JSON pointer. */
export interface RuleError {
  file: string;
  path: string;
  message: string;
}

export function formatRuleError(error: RuleError): string {
  return `rules/${error.file} ${error.path}: ${error.message}`;
}

/** A validated, ready-to-evaluate ruleset. Immutable once built. */
export interface Ruleset {
  /** Content hash of every file: the same files always give the same version. */
  version: string;
  loadedAt: Date;
  files: string[];
  stages: { [K in StageName]: StageFile<K> };
  slaPolicies: SlaPolicy[];
  calendars: ReadonlyMap<string, BusinessCalendar>;
  queues: QueuesFile;
  /** How an agent may close a case (rules/resolution-codes.json). */
  resolutionCodes: ResolutionCode[];
  /** Complaint-rate spike thresholds and the alert webhook (rules/complaint-rates.json, router). */
  complaintRates: ComplaintRatesFile;
  /** Automatic blocklisting rules, run after each triage decision (rules/blocklist.json). */
  blocklist: BlocklistFile;
  /** Which closed tickets QA reviewers read (rules/qa-sampling.json, router). */
  qaSampling: QaSamplingFile;
  /** The auto-QA stage, evaluated once when a ticket closes (rules/qa.json). */
  qa: QaFile;
  /** The QA scorecards: criteria, weights, fatal criteria, which tickets use which (rules/qa-scorecards.json). */
  qaScorecards: QaScorecardsFile;
}

export type CompileResult = { ok: true; ruleset: Ruleset } | { ok: false; errors: RuleError[] };

/** What checking every rule's conditions carries along: where errors go, and the regexes met so far. */
interface ConditionCheck {
  file: string;
  errors: RuleError[];
  regexes: { count: number; reported: boolean };
  /** Whether the rule runs in the classify stage, before the category is known. */
  beforeCategory: boolean;
  /** The facts the rule's stage knows: triage facts, or the QA facts of a closed ticket. */
  facts: ReadonlySet<string>;
}

/** How many patterns a `matchesRegex` condition holds (an array of them under someValue / everyValue). */
function regexCount(operator: string, value: unknown): number {
  if (baseOperatorOf(operator) !== 'matchesRegex') return 0;
  const spreads = /(^|:)(someValue|everyValue):/.test(operator);
  return spreads && Array.isArray(value) ? value.length : 1;
}

function checkConditions(condition: RuleCondition, pointer: string, check: ConditionCheck): void {
  const { file, errors } = check;
  if ('all' in condition) condition.all.forEach((c, i) => checkConditions(c, `${pointer}/all/${i}`, check));
  else if ('any' in condition)
    condition.any.forEach((c, i) => checkConditions(c, `${pointer}/any/${i}`, check));
  else if ('not' in condition) checkConditions(condition.not, `${pointer}/not`, check);
  else if ('condition' in condition) {
    errors.push({
      file,
      path: `${pointer}/condition`,
      message: 'shared condition references are not supported; write the condition inline',
    });
  } else {
    if (!check.facts.has(condition.fact)) {
      errors.push({
        file,
        path: `${pointer}/fact`,
        message: `unknown fact "${condition.fact}" (see rules/README.md)`,
      });
    } else if (check.beforeCategory && categoryDependentFacts.has(condition.fact)) {
      errors.push({
        file,
        path: `${pointer}/fact`,
        message: `"${condition.fact}" depends on the category, decided by this stage: use it from severity on`,
      });
    }
    const operator = baseOperatorOf(condition.operator);
    if (!knownOperators.has(operator)) {
      errors.push({ file, path: `${pointer}/operator`, message: `unknown operator "${condition.operator}"` });
    } else {
      const problem = validateOperatorValue(condition.operator, condition.value);
      if (problem) errors.push({ file, path: `${pointer}/value`, message: problem });
    }
    check.regexes.count += regexCount(condition.operator, condition.value);
    if (check.regexes.count > rulesetLimits.maxRegexesPerRuleset && !check.regexes.reported) {
      check.regexes.reported = true;
      errors.push({
        file,
        path: `${pointer}/value`,
        message: `more than ${rulesetLimits.maxRegexesPerRuleset} matchesRegex patterns in the ruleset (all stages together)`,
      });
    }
  }
}

/**
 * Refuses, before the schema walks it, a file nested deeper than the limits allow: anywhere
 * (maxJsonDepth) or in a rule's conditions (maxConditionDepth). True when the file is fine.
 */
function checkNesting(file: RulesetFileName, json: unknown, errors: RuleError[]): boolean {
  const deep = firstTooDeep(json, rulesetLimits.maxJsonDepth);
  if (deep !== undefined) {
    errors.push({ file, path: deep, message: `nesting deeper than ${rulesetLimits.maxJsonDepth}` });
    return false;
  }
  const rules = (json as { rules?: unknown } | null)?.rules;
  if (
    [...stageNames, 'qa', blocklistStage].some((stage) => file === `${stage}.json`) &&
    Array.isArray(rules)
  ) {
    let fine = true;
    rules.forEach((rule: unknown, index) => {
      const conditions = (rule as { conditions?: unknown } | null)?.conditions;
      const tooDeep = firstTooDeepCondition(conditions, `/rules/${index}/conditions`);
      if (tooDeep === undefined) return;
      fine = false;
      errors.push({
        file,
        path: tooDeep,
        message: `conditions nested deeper than ${rulesetLimits.maxConditionDepth} (all / any / not levels)`,
      });
    });
    return fine;
  }
  return true;
}

function parseJson(file: string, text: string, errors: RuleError[]): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    errors.push({ file, path: '/', message: `not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

/**
 * Validates and compiles a set of rule files (path relative to rules/ → text).
 * Every error names the file and the JSON path; nothing is partially applied.
 */
export function compileRuleset(files: ReadonlyMap<string, string>): CompileResult {
  const errors: RuleError[] = [];
  const parsed = new Map<RulesetFileName, unknown>();

  for (const name of rulesetFileNames) {
    const text = files.get(name);
    if (text === undefined) {
      errors.push({ file: name, path: '/', message: 'file is missing' });
      continue;
    }
    const json = parseJson(name, text, errors);
    if (json === undefined || !checkNesting(name, json, errors)) continue;
    const result = rulesetFileSchemas[name].safeParse(json);
    if (!result.success) {
      for (const issue of result.error.issues) {
        errors.push({ file: name, path: '/' + issue.path.map(String).join('/'), message: issue.message });
      }
      continue;
    }
    parsed.set(name, result.data);
  }
  for (const name of files.keys()) {
    if (!name.includes('/') && !(rulesetFileNames as string[]).includes(name)) {
      errors.push({
        file: name,
        path: '/',
        message: `unknown rule file (expected one of ${rulesetFileNames.join(', ')})`,
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const stages = Object.fromEntries(
    stageNames.map((stage) => [stage, parsed.get(`${stage}.json`)]),
  ) as Ruleset['stages'];
  const slaPolicies = (parsed.get('sla-policies.json') as { policies: SlaPolicy[] }).policies;
  const calendarList = (parsed.get('calendars.json') as { calendars: BusinessCalendar[] }).calendars;
  const queues = parsed.get('queues.json') as QueuesFile;
  const resolutionCodes = (parsed.get('resolution-codes.json') as { codes: ResolutionCode[] }).codes;
  const complaintRates = parsed.get('complaint-rates.json') as ComplaintRatesFile;
  const blocklist = parsed.get(blocklistFile) as BlocklistFile;
  errors.push(...checkBlocklistFile(blocklist));
  const qaSampling = parsed.get('qa-sampling.json') as QaSamplingFile;
  const calendars = new Map(calendarList.map((calendar) => [calendar.id, calendar]));
  const queueIds = new Set(queues.queues.map((queue) => queue.id));
  const policyIds = new Set(slaPolicies.map((policy) => policy.id));

  // Conditions and names inside each stage.
  const regexes = { count: 0, reported: false };
  for (const stage of stageNames) {
    const file = `${stage}.json`;
    const seen = new Set<string>();
    stages[stage].rules.forEach((rule, index) => {
      if (seen.has(rule.name))
        errors.push({ file, path: `/rules/${index}/name`, message: `duplicate rule name "${rule.name}"` });
      seen.add(rule.name);
      checkConditions(rule.conditions as RuleCondition, `/rules/${index}/conditions`, {
        file,
        errors,
        regexes,
        beforeCategory: stage === 'classify',
        facts: knownFacts,
      });
    });
  }
  const qa = parsed.get('qa.json') as QaFile;
  const qaScorecards = parsed.get('qa-scorecards.json') as QaScorecardsFile;
  const seenQaRules = new Set<string>();
  qa.rules.forEach((rule, index) => {
    if (seenQaRules.has(rule.name))
      errors.push({
        file: 'qa.json',
        path: `/rules/${index}/name`,
        message: `duplicate rule name "${rule.name}"`,
      });
    seenQaRules.add(rule.name);
    checkConditions(rule.conditions as RuleCondition, `/rules/${index}/conditions`, {
      file: 'qa.json',
      errors,
      regexes,
      beforeCategory: false,
      facts: knownQaFacts,
    });
  });
  // Cross-file references.
  const checkQueue = (file: string, pointer: string, queue: string | undefined) => {
    if (queue !== undefined && !queueIds.has(queue)) {
      errors.push({ file, path: pointer, message: `unknown queue "${queue}" (rules/queues.json)` });
    }
  };
  stages.route.rules.forEach((rule, index) =>
    checkQueue('route.json', `/rules/${index}/event/params/queue`, rule.event.params.queue),
  );
  checkQueue('route.json', '/defaults/queue', stages.route.defaults?.queue);
  checkQueue('queues.json', '/defaultQueue', queues.defaultQueue);
  stages.sla.rules.forEach((rule, index) => {
    const policy = rule.event.params.slaPolicy;
    if (policy !== undefined && !policyIds.has(policy)) {
      errors.push({
        file: 'sla.json',
        path: `/rules/${index}/event/params/slaPolicy`,
        message: `unknown SLA policy "${policy}" (rules/sla-policies.json)`,
      });
    }
    const calendar = rule.event.params.calendar;
    if (calendar !== undefined && !calendars.has(calendar)) {
      errors.push({
        file: 'sla.json',
        path: `/rules/${index}/event/params/calendar`,
        message: `unknown calendar "${calendar}" (rules/calendars.json)`,
      });
    }
  });
  slaPolicies.forEach((policy, index) => {
    if (!calendars.has(policy.calendar)) {
      errors.push({
        file: 'sla-policies.json',
        path: `/policies/${index}/calendar`,
        message: `unknown calendar "${policy.calendar}" (rules/calendars.json)`,
      });
    }
  });
  queues.queues.forEach((queue, index) => {
    if (queue.calendar !== undefined && !calendars.has(queue.calendar)) {
      errors.push({
        file: 'queues.json',
        path: `/queues/${index}/calendar`,
        message: `unknown calendar "${queue.calendar}" (rules/calendars.json)`,
      });
    }
    queue.escalation.steps.forEach((step, stepIndex) =>
      step.actions.forEach((action, actionIndex) => {
        if (action.type !== 'move-queue') return;
        const pointer = `/queues/${index}/escalation/steps/${stepIndex}/actions/${actionIndex}/to`;
        if (!queueIds.has(action.to)) {
          errors.push({ file: 'queues.json', path: pointer, message: `unknown queue "${action.to}"` });
        } else if (action.to === queue.id) {
          errors.push({ file: 'queues.json', path: pointer, message: 'a queue cannot escalate to itself' });
        }
      }),
    );
  });
  checkQaReferences(qa, qaScorecards, {
    queueIds,
    categories: new Set([
      'general',
      ...(stages.classify.defaults?.category === undefined ? [] : [stages.classify.defaults.category]),
      ...stages.classify.rules.flatMap((rule) =>
        rule.event.params.category === undefined ? [] : [rule.event.params.category],
      ),
    ]),
    errors,
  });
  for (const severity of severities) {
    if (
      !slaPolicies.some(
        (policy) =>
          (policy.severity === undefined || policy.severity === severity) && policy.tiers === undefined,
      )
    ) {
      errors.push({
        file: 'sla-policies.json',
        path: '/policies',
        message: `no policy for severity "${severity}" without tiers (every severity needs a default)`,
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const hash = createHash('sha256');
  const names = [...files.keys()].filter((name) => (rulesetFileNames as string[]).includes(name)).sort();
  for (const name of names)
    hash
      .update(name)
      .update('\0')
      .update(files.get(name) ?? '')
      .update('\0');
  return {
    ok: true,
    ruleset: {
      version: hash.digest('hex').slice(0, 12),
      loadedAt: new Date(),
      files: names,
      stages,
      slaPolicies,
      calendars,
      queues,
      resolutionCodes,
      complaintRates,
      blocklist,
      qaSampling,
      qa,
      qaScorecards,
    },
  };
}

/**
 * What a schema cannot say about the QA files: a rule scores a criterion some card has, scored
 * automatically, with no more points than it is worth; cards apply to queues that exist and to
 * categories the classify stage can give.
 */
function checkQaReferences(
  qa: QaFile,
  cards: QaScorecardsFile,
  known: { queueIds: ReadonlySet<string>; categories: ReadonlySet<string>; errors: RuleError[] },
): void {
  const { errors } = known;
  const criteria = cards.scorecards.flatMap((card) => card.criteria);
  qa.rules.forEach((rule, index) => {
    const { criterion, points } = rule.event.params;
    const pointer = `/rules/${index}/event/params`;
    const defined = criteria.filter((c) => c.id === criterion);
    if (defined.length === 0) {
      errors.push({
        file: 'qa.json',
        path: `${pointer}/criterion`,
        message: `unknown criterion "${criterion}" (rules/qa-scorecards.json)`,
      });
    } else if (defined.some((c) => c.kind !== 'auto')) {
      errors.push({
        file: 'qa.json',
        path: `${pointer}/criterion`,
        message: `criterion "${criterion}" is scored by a reviewer (kind "manual"), not by rules`,
      });
    } else if (points !== undefined) {
      const worth = Math.min(...defined.map((c) => c.points));
      if (points > worth)
        errors.push({
          file: 'qa.json',
          path: `${pointer}/points`,
          message: `${points} points is more than criterion "${criterion}" is worth (${worth})`,
        });
    }
  });
  cards.scorecards.forEach((card, index) => {
    card.appliesTo?.queues?.forEach((queue, q) => {
      if (!known.queueIds.has(queue))
        errors.push({
          file: 'qa-scorecards.json',
          path: `/scorecards/${index}/appliesTo/queues/${q}`,
          message: `unknown queue "${queue}" (rules/queues.json)`,
        });
    });
    card.appliesTo?.categories?.forEach((category, c) => {
      if (!known.categories.has(category))
        errors.push({
          file: 'qa-scorecards.json',
          path: `/scorecards/${index}/appliesTo/categories/${c}`,
          message: `unknown category "${category}" (no classify rule gives it)`,
        });
    });
  });
}

/** Reads the ruleset files of a rules/ directory (top-level *.json only). */
export async function readRuleFiles(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.json')) {
      files.set(entry.name, await readFile(path.join(dir, entry.name), 'utf8'));
    }
  }
  return files;
}

/** Reads and compiles a rules/ directory. */
export async function loadRuleset(dir: string): Promise<CompileResult> {
  return compileRuleset(await readRuleFiles(dir));
}
