import {
  blocklistPeriods,
  blocklistStage,
  evaluateComplaint,
  severities,
  stageNames,
  type Evaluation,
  type QaEvaluation,
  type Ruleset,
} from '@triage/rules';
import { complaintInputSchema } from '@triage/shared/complaint';
import { z } from 'zod';
import { factsOfInput } from './complaint-facts';
import { simulatedFactSources, simulatedHistorySchema } from './fact-sources';
import { simulateBlocklistRules, type SimulatedBlocklisting } from './simulate-blocklist-rules';
import { qaFixtureFileSchema, runQaFixtureCase, type QaFixtureFile } from './qa-fixtures';

/**
 * Table-driven tests kept beside the rule files (rules/tests/*.json): each case is a
 * complaint, an optional simulated customer history and the part of the decision it must
 * get. `npm run rules -- test` and the unit tests run them against the shipped rules.
 */

/** When a case does not say: a Wednesday, 10:00 in New York and 23:00 in Shanghai. */
export const defaultFixtureReceivedAt = '2026-03-04T15:00:00.000Z';

const firedRuleName = z
  .string()
  .regex(
    new RegExp(`^(${[...stageNames, blocklistStage].join('|')})/[a-z0-9][a-z0-9_.-]*$`),
    'a fired rule as "<stage>/<rule name>", e.g. "severity/legal-threat" or "blocklist/repeated-abuse"',
  );
const names = z.array(z.string().min(1)).min(1);

export const ruleFixtureExpectationSchema = z
  .object({
    category: z.string().optional(),
    severity: z.enum(severities).optional(),
    queue: z.string().optional(),
    slaPolicy: z.string().optional(),
    calendar: z.string().optional(),
    tagsInclude: names.optional(),
    tagsExclude: names.optional(),
    flagsInclude: names.optional(),
    flagsExclude: names.optional(),
    skillsInclude: names.optional(),
    firedRulesInclude: z.array(firedRuleName).min(1).optional(),
    firedRulesExclude: z.array(firedRuleName).min(1).optional(),
    /** The sum of priorityBoost values of the fired severity rules. */
    priorityBoost: z.number().optional(),
    /** How many earlier complaints the decision links (repeat complainants). */
    relatedComplaints: z.number().int().min(0).optional(),
    firstResponseDueAt: z.iso.datetime({ offset: true }).optional(),
    resolutionDueAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * What rules/blocklist.json does after the decision: the period of the listing the first
     * fired blocklist rule makes, or "none" (no rule fired, or history.blocklisted: already listed).
     */
    blocklistPeriod: z.enum([...blocklistPeriods, 'none']).optional(),
    /** The listing's named reviewer, e.g. "supervisor:sofia". */
    blocklistReviewer: z.string().min(1).optional(),
  })
  .strict()
  .refine((expectation) => Object.keys(expectation).length > 0, {
    message: 'expect needs at least one field to check',
  });
export type RuleFixtureExpectation = z.output<typeof ruleFixtureExpectationSchema>;

export const ruleFixtureCaseSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    complaint: complaintInputSchema,
    history: simulatedHistorySchema.optional(),
    /** When the complaint arrived (also the evaluation's "now"); defaults to {@link defaultFixtureReceivedAt}. */
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    expect: ruleFixtureExpectationSchema,
  })
  .strict();
export type RuleFixtureCase = z.output<typeof ruleFixtureCaseSchema>;

/** A file of triage cases (no `stage`, or `"stage": "triage"`). */
export const triageFixtureFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    stage: z.literal('triage').optional(),
    cases: z.array(ruleFixtureCaseSchema).min(1),
  })
  .strict();
export type TriageFixtureFile = z.output<typeof triageFixtureFileSchema>;

/** The case names of a file are unique. */
function uniqueCaseNames(file: { cases: ReadonlyArray<{ name: string }> }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  file.cases.forEach((fixture, index) => {
    if (seen.has(fixture.name)) {
      ctx.addIssue({ code: 'custom', path: ['cases', index, 'name'], message: 'duplicate case name' });
    }
    seen.add(fixture.name);
  });
}

/**
 * A fixture file: triage cases (a complaint and its decision) or, with `"stage": "qa"`, auto-QA
 * cases (a closed ticket's handling and its QA result, qa-fixtures.ts).
 */
export const ruleFixtureFileSchema = z
  .union([triageFixtureFileSchema, qaFixtureFileSchema])
  .superRefine(uniqueCaseNames);
export type RuleFixtureFile = TriageFixtureFile | QaFixtureFile;

export interface FixtureFileError {
  file: string;
  path: string;
  message: string;
}

/** Parses one fixture file's text; errors name the file and JSON path like rule errors do. */
export function parseRuleFixtureFile(
  file: string,
  text: string,
): { ok: true; fixtures: RuleFixtureFile } | { ok: false; errors: FixtureFileError[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errors: [{ file, path: '/', message: `not valid JSON: ${(error as Error).message}` }],
    };
  }
  // The file's stage picks the schema, so errors speak of that format and not of a union.
  const isQa = typeof json === 'object' && json !== null && (json as { stage?: unknown }).stage === 'qa';
  const result = (isQa ? qaFixtureFileSchema : triageFixtureFileSchema)
    .superRefine(uniqueCaseNames)
    .safeParse(json);
  if (result.success) return { ok: true, fixtures: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      file,
      path: '/' + issue.path.map(String).join('/'),
      message: issue.message,
    })),
  };
}

interface FixtureCaseOutcome {
  file: string;
  name: string;
  passed: boolean;
  /** One line per mismatch: `severity: expected "high", got "medium"`. */
  failures: string[];
}

/** A triage case's outcome with its evaluation, or a QA case's with its QA result. */
export type FixtureCaseResult =
  | (FixtureCaseOutcome & {
      stage: 'triage';
      evaluation: Evaluation;
      /** What the blocklist stage did after the decision (rules/blocklist.json). */
      blocklisting: SimulatedBlocklisting;
    })
  | (FixtureCaseOutcome & { stage: 'qa'; qa: QaEvaluation });

const show = (value: unknown) => JSON.stringify(value);

/** What differs between a decision and a case's expectation (empty when it passes). */
export function expectationFailures(
  expectation: RuleFixtureExpectation,
  evaluation: Evaluation,
  blocklisting: Pick<SimulatedBlocklisting, 'fired' | 'listing'> = { fired: [], listing: null },
): string[] {
  const { decision } = evaluation;
  const failures: string[] = [];
  const exact = (field: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && expected !== actual) {
      failures.push(`${field}: expected ${show(expected)}, got ${show(actual)}`);
    }
  };
  const includes = (field: string, expected: string[] | undefined, actual: string[]) => {
    const missing = (expected ?? []).filter((item) => !actual.includes(item));
    if (missing.length > 0) failures.push(`${field}: missing ${show(missing)} in ${show(actual)}`);
  };
  const excludes = (field: string, unwanted: string[] | undefined, actual: string[]) => {
    const present = (unwanted ?? []).filter((item) => actual.includes(item));
    if (present.length > 0) failures.push(`${field}: must not contain ${show(present)}`);
  };
  const fired = [...decision.firedRules, ...blocklisting.fired].map((rule) => `${rule.stage}/${rule.rule}`);
  const instant = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso).toISOString());

  exact('category', expectation.category, decision.category);
  exact('severity', expectation.severity, decision.severity);
  exact('queue', expectation.queue, decision.queue);
  exact('slaPolicy', expectation.slaPolicy, decision.slaPolicy);
  exact('calendar', expectation.calendar, decision.calendar);
  includes('tags', expectation.tagsInclude, decision.tags);
  excludes('tags', expectation.tagsExclude, decision.tags);
  includes('flags', expectation.flagsInclude, decision.flags);
  excludes('flags', expectation.flagsExclude, decision.flags);
  includes('skills', expectation.skillsInclude, decision.skills);
  includes('firedRules', expectation.firedRulesInclude, fired);
  excludes('firedRules', expectation.firedRulesExclude, fired);
  exact('priorityBoost', expectation.priorityBoost, decision.priority.components.boost);
  exact('relatedComplaints', expectation.relatedComplaints, evaluation.relatedComplaintIds.length);
  exact(
    'firstResponseDueAt',
    instant(expectation.firstResponseDueAt),
    decision.firstResponseDueAt.toISOString(),
  );
  exact('resolutionDueAt', instant(expectation.resolutionDueAt), decision.resolutionDueAt.toISOString());
  exact('blocklistPeriod', expectation.blocklistPeriod, blocklisting.listing?.period ?? 'none');
  exact('blocklistReviewer', expectation.blocklistReviewer, blocklisting.listing?.reviewer);
  return failures;
}

/** Evaluates one case against a ruleset ("now" is the case's receivedAt, so results never drift). */
export async function runFixtureCase(
  ruleset: Ruleset,
  file: string,
  fixture: RuleFixtureCase,
): Promise<FixtureCaseResult> {
  const receivedAt = new Date(fixture.receivedAt ?? defaultFixtureReceivedAt);
  const facts = factsOfInput(fixture.complaint, {
    id: `fixture:${file}:${fixture.name}`,
    receivedAt,
    defaultSource: 'fixture',
  });
  const evaluation = await evaluateComplaint(
    ruleset,
    facts,
    simulatedFactSources(fixture.history, receivedAt),
    receivedAt,
  );
  const blocklisting = await simulateBlocklistRules(ruleset, facts, evaluation.decision, fixture.history);
  const failures = expectationFailures(fixture.expect, evaluation, blocklisting);
  return {
    stage: 'triage',
    file,
    name: fixture.name,
    passed: failures.length === 0,
    failures,
    evaluation,
    blocklisting,
  };
}

/** Runs every case of every fixture file, in file and case order. */
export async function runRuleFixtures(
  ruleset: Ruleset,
  files: ReadonlyArray<{ file: string; fixtures: RuleFixtureFile }>,
): Promise<FixtureCaseResult[]> {
  const results: FixtureCaseResult[] = [];
  for (const { file, fixtures } of files) {
    if (fixtures.stage === 'qa') {
      for (const fixture of fixtures.cases) {
        const { failures, qa } = await runQaFixtureCase(ruleset, file, fixture);
        results.push({ stage: 'qa', file, name: fixture.name, passed: failures.length === 0, failures, qa });
      }
      continue;
    }
    for (const fixture of fixtures.cases) results.push(await runFixtureCase(ruleset, file, fixture));
  }
  return results;
}

/** Rules (as "<stage>/<rule>") that no case made fire: a shipped rule without a test. */
export function rulesNeverFired(ruleset: Ruleset, results: readonly FixtureCaseResult[]): string[] {
  const fired = new Set(
    results.flatMap((result) =>
      result.stage === 'qa'
        ? result.qa.firedRules.map((rule) => `qa/${rule.rule}`)
        : [...result.evaluation.decision.firedRules, ...result.blocklisting.fired].map(
            (rule) => `${rule.stage}/${rule.rule}`,
          ),
    ),
  );
  return [
    ...stageNames.flatMap((stage) => ruleset.stages[stage].rules.map((rule) => `${stage}/${rule.name}`)),
    ...ruleset.qa.rules.map((rule) => `qa/${rule.name}`),
    ...ruleset.blocklist.rules.map((rule) => `${blocklistStage}/${rule.name}`),
  ].filter((name) => !fired.has(name));
}

/** The file with only the cases `keep` accepts (a filter by name, one case at a time in tests). */
export function selectFixtureCases(
  fixtures: RuleFixtureFile,
  keep: (name: string) => boolean,
): RuleFixtureFile {
  return fixtures.stage === 'qa'
    ? { ...fixtures, cases: fixtures.cases.filter((fixture) => keep(fixture.name)) }
    : { ...fixtures, cases: fixtures.cases.filter((fixture) => keep(fixture.name)) };
}
