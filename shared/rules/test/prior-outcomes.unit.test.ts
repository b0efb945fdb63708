/**
 * The prior-outcome facts: priorFinalAnswer and daysSinceFinalAnswer compare with the category
 * classify decided, on the compiled evaluator and on json-rules-engine alike; classify rules
 * may not use them.
 */
import path from 'node:path';
import { evaluateComplaintWithEngine } from '../reference/engine-evaluators';
import { evaluateComplaint, type Evaluation } from '../src/evaluate-complaint';
import type { ComplaintFacts, FactSources, PriorOutcome } from '../src/facts';
import { compileRuleset, readRuleFiles, type Ruleset } from '../src/load-ruleset';

const DAY_MS = 86_400_000;
const receivedAt = new Date('2026-03-04T15:00:00Z');

const complaint: ComplaintFacts = {
  id: 'complaint-again',
  source: 'api',
  channel: 'phone',
  body: 'You charged me a late fee on my credit card bill again.',
  language: 'en',
  customer: { id: 'customer-again' },
  receivedAt,
};

const outcome = (
  category: string,
  finalAnswer: boolean,
  daysAgo: number,
  code = 'explained',
): PriorOutcome => ({
  complaintId: `earlier-${category}-${daysAgo}`,
  category,
  code,
  finalAnswer,
  at: new Date(receivedAt.getTime() - daysAgo * DAY_MS),
});

const sourcesWith = (outcomes: PriorOutcome[]): FactSources => ({
  recentComplaintIds: async () => [],
  openComplaints: async () => 0,
  isBlocklisted: async () => false,
  priorOutcomes: async () => outcomes,
});

let files: Map<string, string>;
let ruleset: Ruleset;

beforeAll(async () => {
  files = await readRuleFiles(path.resolve(__dirname, '..', '..', '..', 'rules'));
  const severity = JSON.parse(files.get('severity.json') ?? '{}') as { rules: unknown[] };
  // Flags that show what the facts held: a final answer within 30 days, and an earlier refund.
  severity.rules.unshift(
    {
      name: 'recent-final-answer',
      priority: 1000,
      conditions: { all: [{ fact: 'daysSinceFinalAnswer', operator: 'lessThanInclusive', value: 30 }] },
      event: { type: 'severity', params: { flags: ['recent-final-answer'] } },
    },
    {
      name: 'refunded-before',
      priority: 1000,
      conditions: { all: [{ fact: 'priorResolutionCodes', operator: 'contains', value: 'refunded' }] },
      event: { type: 'severity', params: { flags: ['refunded-before'] } },
    },
  );
  const result = compileRuleset(new Map([...files, ['severity.json', JSON.stringify(severity)]]));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  ruleset = result.ruleset;
});

const evaluators: [string, (sources: FactSources) => Promise<Evaluation>][] = [
  ['the compiled evaluator', (sources) => evaluateComplaint(ruleset, complaint, sources, receivedAt)],
  ['json-rules-engine', (sources) => evaluateComplaintWithEngine(ruleset, complaint, sources, receivedAt)],
];

describe.each(evaluators)('prior outcomes on %s', (_label, evaluate) => {
  it('when a final answer was given on this category 10 days ago, then the complaint goes to repeat-desk tagged final-answer-given', async () => {
    const { decision } = await evaluate(sourcesWith([outcome('billing', true, 10, 'refunded')]));
    expect(decision.category).toBe('billing');
    expect(decision.queue).toBe('repeat-desk');
    expect(decision.tags).toContain('final-answer-given');
    expect(decision.flags).toEqual(expect.arrayContaining(['recent-final-answer', 'refunded-before']));
  });

  it('when the final answer was on another category, or not final, then neither rule fires', async () => {
    const { decision } = await evaluate(
      sourcesWith([outcome('fraud', true, 3), outcome('billing', false, 5)]),
    );
    expect(decision.queue).not.toBe('repeat-desk');
    expect(decision.tags).not.toContain('final-answer-given');
    expect(decision.flags).not.toContain('recent-final-answer');
  });

  it('when the final answer is older than 30 days, then it still routes to repeat-desk but daysSinceFinalAnswer says how old', async () => {
    const { decision } = await evaluate(sourcesWith([outcome('billing', true, 45)]));
    expect(decision.queue).toBe('repeat-desk');
    expect(decision.flags).not.toContain('recent-final-answer');
  });

  it('when the sources know no outcomes at all, then the customer has no final answer', async () => {
    const { recentComplaintIds, openComplaints, isBlocklisted } = sourcesWith([]);
    const { decision } = await evaluate({ recentComplaintIds, openComplaints, isBlocklisted });
    expect(decision.queue).not.toBe('repeat-desk');
  });
});

describe('prior-outcome facts in classify rules', () => {
  it('when a classify rule reads priorFinalAnswer, then the ruleset is refused: the category is not known yet', () => {
    const classify = JSON.parse(files.get('classify.json') ?? '{}') as { rules: unknown[] };
    classify.rules.unshift({
      name: 'too-early',
      priority: 1,
      conditions: { all: [{ fact: 'priorFinalAnswer', operator: 'equal', value: true }] },
      event: { type: 'classify', params: { category: 'repeat' } },
    });
    const result = compileRuleset(new Map([...files, ['classify.json', JSON.stringify(classify)]]));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toContainEqual(
        expect.objectContaining({ file: 'classify.json', path: '/rules/0/conditions/all/0/fact' }),
      );
  });
});
