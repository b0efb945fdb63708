/**
 * The time operators compare with the evaluation's now, not the wall clock: a replay or dry
 * run at a past instant decides `withinHours` / `olderThanHours` as it would have then, on the
 * compiled evaluator and on json-rules-engine alike.
 */
import path from 'node:path';
import { createSequentialEngineEvaluator, evaluateComplaintWithEngine } from '../reference/engine-evaluators';
import { evaluateComplaint, type Evaluation } from '../src/evaluate-complaint';
import type { ComplaintFacts } from '../src/facts';
import { compileRuleset, readRuleFiles, type Ruleset } from '../src/load-ruleset';

const HOUR_MS = 3_600_000;
/** Years before any wall clock this test will run on. */
const receivedAt = new Date('2020-06-01T09:00:00Z');

const complaint: ComplaintFacts = {
  id: 'complaint-now',
  source: 'api',
  channel: 'email',
  body: 'Where is my refund?',
  customer: { id: 'customer-now' },
  receivedAt,
  occurredAt: receivedAt,
};

let ruleset: Ruleset;

beforeAll(async () => {
  const files = await readRuleFiles(path.resolve(__dirname, '..', '..', '..', 'rules'));
  const classify = JSON.parse(files.get('classify.json') ?? '{}') as { rules: unknown[] };
  const timed = (name: string, operator: string, category: string) => ({
    name,
    priority: 1000,
    conditions: { all: [{ fact: 'occurredAt', operator, value: 24 }] },
    event: { type: 'classify', params: { category } },
  });
  classify.rules.unshift(
    timed('recent-complaint', 'withinHours', 'recent'),
    timed('stale-complaint', 'olderThanHours', 'stale'),
  );
  const result = compileRuleset(new Map([...files, ['classify.json', JSON.stringify(classify)]]));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  ruleset = result.ruleset;
});

const evaluators: [string, (now: Date) => Promise<Evaluation>][] = [
  ['the compiled evaluator', (now) => evaluateComplaint(ruleset, complaint, undefined, now)],
  [
    'json-rules-engine with fresh engines',
    (now) => evaluateComplaintWithEngine(ruleset, complaint, undefined, now),
  ],
  [
    'json-rules-engine with long-lived engines',
    (now) => createSequentialEngineEvaluator(ruleset)(complaint, undefined, now),
  ],
];

describe.each(evaluators)('time operators on %s', (_label, evaluate) => {
  it('when the evaluation runs an hour after the complaint occurred, then withinHours holds and olderThanHours does not', async () => {
    const { decision } = await evaluate(new Date(receivedAt.getTime() + HOUR_MS));
    expect(decision.category).toBe('recent');
    expect(decision.firedRules.map((rule) => rule.rule)).toContain('recent-complaint');
    expect(decision.firedRules.map((rule) => rule.rule)).not.toContain('stale-complaint');
  });

  it('when the evaluation runs two days after the complaint occurred, then olderThanHours holds and withinHours does not', async () => {
    const { decision } = await evaluate(new Date(receivedAt.getTime() + 48 * HOUR_MS));
    expect(decision.category).toBe('stale');
    expect(decision.firedRules.map((rule) => rule.rule)).toContain('stale-complaint');
    expect(decision.firedRules.map((rule) => rule.rule)).not.toContain('recent-complaint');
  });

  it('when two evaluations at different nows run at once, then each decides by its own now', async () => {
    const [early, late] = await Promise.all([
      evaluators[0]![1](new Date(receivedAt.getTime() + HOUR_MS)),
      evaluate(new Date(receivedAt.getTime() + 48 * HOUR_MS)),
    ]);
    expect(early.decision.category).toBe('recent');
    expect(late.decision.category).toBe('stale');
  });
});
