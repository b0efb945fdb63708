import {
  defaultQaFactValues,
  evaluateQa,
  type QaEvaluation,
  type QaFactValues,
  type Ruleset,
} from '@triage/rules';
import { z } from 'zod';
import { simulatedFactSources, simulatedHistorySchema } from './fact-sources';

/**
 * Table-driven tests of the auto-QA rules (rules/tests/*.json files with `"stage": "qa"`): each
 * case names the facts of a closed ticket's handling that matter to it (the rest are those of a
 * ticket handled by the book, {@link defaultQaFactValues}) and the part of the QA result it
 * must get. Run with the triage fixtures by `npm run rules -- test` and the unit tests.
 */

const names = z.array(z.string().min(1)).min(1);
const firedQaRule = z
  .string()
  .regex(/^qa\/[a-z0-9][a-z0-9_.-]*$/, 'a fired rule as "qa/<rule name>", e.g. "qa/forbidden-phrase"');

/** The handling facts a case sets; every other fact keeps its by-the-book value. */
export const qaHandlingSchema = z
  .object({
    firstResponseMet: z.boolean().nullable(),
    firstResponseMinutes: z.number().min(0).nullable(),
    resolutionMet: z.boolean().nullable(),
    pausedMinutes: z.number().min(0),
    transferCount: z.number().int().min(0),
    queuesVisited: z.array(z.string()),
    queue: z.string(),
    reopenCount: z.number().int().min(0),
    reopened: z.boolean(),
    followUpsMade: z.number().int().min(0),
    followUpsKept: z.number().int().min(0),
    followUpsMissed: z.number().int().min(0),
    hasResolutionCode: z.boolean(),
    resolutionCode: z.string(),
    finalAnswer: z.boolean(),
    resolutionSummary: z.string(),
    csatScore: z.number().int().min(1).max(5).nullable(),
    csatComment: z.string(),
    notesText: z.string(),
    customerNotesText: z.string(),
    internalNotesText: z.string(),
    customerNoteCount: z.number().int().min(0),
    category: z.string(),
    severity: z.string(),
    customerTier: z.string(),
    channel: z.string(),
    language: z.string(),
    text: z.string(),
  } satisfies Record<keyof QaFactValues, z.ZodType>)
  .partial()
  .strict();

export const qaFixtureExpectationSchema = z
  .object({
    scorecard: z.string().optional(),
    /** The QA score (0–100, one decimal), or null when nothing was scored. */
    score: z.number().min(0).max(100).nullable().optional(),
    fatal: z.boolean().optional(),
    passed: names.optional(),
    failed: names.optional(),
    notScored: names.optional(),
    tagsInclude: names.optional(),
    tagsExclude: names.optional(),
    firedRulesInclude: z.array(firedQaRule).min(1).optional(),
    firedRulesExclude: z.array(firedQaRule).min(1).optional(),
  })
  .strict()
  .refine((expectation) => Object.keys(expectation).length > 0, {
    message: 'expect needs at least one field to check',
  });
export type QaFixtureExpectation = z.output<typeof qaFixtureExpectationSchema>;

export const qaFixtureCaseSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    handling: qaHandlingSchema,
    /** The customer's earlier complaints (repeatCount), as triage fixtures pretend them. */
    history: simulatedHistorySchema.optional(),
    expect: qaFixtureExpectationSchema,
  })
  .strict();
export type QaFixtureCase = z.output<typeof qaFixtureCaseSchema>;

export const qaFixtureFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    stage: z.literal('qa'),
    cases: z.array(qaFixtureCaseSchema).min(1),
  })
  .strict();
export type QaFixtureFile = z.output<typeof qaFixtureFileSchema>;

const show = (value: unknown) => JSON.stringify(value);

/** What differs between a QA result and a case's expectation (empty when it passes). */
export function qaExpectationFailures(expectation: QaFixtureExpectation, qa: QaEvaluation): string[] {
  const failures: string[] = [];
  const exact = (field: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && expected !== actual)
      failures.push(`${field}: expected ${show(expected)}, got ${show(actual)}`);
  };
  const includes = (field: string, expected: string[] | undefined, actual: string[]) => {
    const missing = (expected ?? []).filter((item) => !actual.includes(item));
    if (missing.length > 0) failures.push(`${field}: missing ${show(missing)} in ${show(actual)}`);
  };
  const excludes = (field: string, unwanted: string[] | undefined, actual: string[]) => {
    const present = (unwanted ?? []).filter((item) => actual.includes(item));
    if (present.length > 0) failures.push(`${field}: must not contain ${show(present)}`);
  };
  const withResult = (result: string) =>
    qa.criteria.filter((c) => c.result === result).map((c) => c.criterion);
  const fired = qa.firedRules.map((rule) => `qa/${rule.rule}`);
  exact('scorecard', expectation.scorecard, qa.scorecard);
  exact('score', expectation.score, qa.score);
  exact('fatal', expectation.fatal, qa.fatal);
  includes('passed', expectation.passed, withResult('pass'));
  includes('failed', expectation.failed, withResult('fail'));
  includes('notScored', expectation.notScored, qa.notScored);
  includes('tags', expectation.tagsInclude, qa.tags);
  excludes('tags', expectation.tagsExclude, qa.tags);
  includes('firedRules', expectation.firedRulesInclude, fired);
  excludes('firedRules', expectation.firedRulesExclude, fired);
  return failures;
}

/** A fixed instant for QA cases: nothing in the QA stage reads the clock but repeatCount's history. */
const qaFixtureNow = new Date('2026-03-04T15:00:00.000Z');

/** Evaluates one QA case against a ruleset. */
export async function runQaFixtureCase(
  ruleset: Ruleset,
  file: string,
  fixture: QaFixtureCase,
): Promise<{ failures: string[]; qa: QaEvaluation }> {
  const facts: QaFactValues = { ...defaultQaFactValues(), ...(fixture.handling as Partial<QaFactValues>) };
  const qa = await evaluateQa(
    ruleset,
    {
      complaintId: `fixture:${file}:${fixture.name}`,
      customerId: 'fixture-customer',
      receivedAt: qaFixtureNow,
      facts,
    },
    simulatedFactSources(fixture.history, qaFixtureNow),
    qaFixtureNow,
  );
  return { failures: qaExpectationFailures(fixture.expect, qa), qa };
}
