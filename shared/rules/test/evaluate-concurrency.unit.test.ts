/**
 * json-rules-engine's Engine keeps per-run state (upstream issue #303): overlapping run() calls
 * on one Engine silently skip rules. Neither evaluation path shares an Engine between
 * evaluations, so concurrent evaluations give exactly what sequential ones give.
 */
import path from 'node:path';
import { Engine, Fact } from 'json-rules-engine';
import { generateComplaints, generatedHistory, generateRuleFiles } from '../../../bench/generate-ruleset';
import { compileRuleset, readRuleFiles, type Ruleset } from '../src/load-ruleset';
import { createSequentialEngineEvaluator, evaluateComplaintWithEngine } from '../reference/engine-evaluators';
import { evaluateComplaint, type Evaluation } from '../src/evaluate-complaint';
import type { ComplaintFacts, FactSources } from '../src/facts';

const now = new Date('2026-03-04T10:00:00Z');
const yields = (count: number) =>
  Array.from({ length: count }).reduce<Promise<void>>(
    (previous) => previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))),
    Promise.resolve(),
  );

/** The generated history, answering after a customer-dependent number of event-loop turns. */
const interleavingHistory: FactSources = {
  recentComplaintIds: async (customerId, days, excludeId) => {
    await yields(customerId.length % 4);
    return generatedHistory.recentComplaintIds(customerId, days, excludeId);
  },
  openComplaints: async (customerId, excludeId) => {
    await yields((customerId.length + 1) % 3);
    return generatedHistory.openComplaints(customerId, excludeId);
  },
  isBlocklisted: async (customerId, at) => {
    await yields((customerId.length + 2) % 5);
    return generatedHistory.isBlocklisted(customerId, at);
  },
};

let ruleset: Ruleset;
let complaints: ComplaintFacts[];

beforeAll(async () => {
  const result = compileRuleset(
    generateRuleFiles(120, 11, await readRuleFiles(path.resolve(__dirname, '..', '..', '..', 'rules'))),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  ruleset = result.ruleset;
  complaints = generateComplaints(200, 13, now);
});

describe('concurrent evaluations', () => {
  it.each([
    [
      'the compiled evaluator',
      (complaint: ComplaintFacts) => evaluateComplaint(ruleset, complaint, interleavingHistory, now),
    ],
    [
      'json-rules-engine with fresh engines',
      (complaint: ComplaintFacts) =>
        evaluateComplaintWithEngine(ruleset, complaint, interleavingHistory, now),
    ],
  ])(
    'when 200 complaints are evaluated at once by %s, then each result is the sequential one',
    async (_, evaluate) => {
      const sequential: Evaluation[] = [];
      for (const complaint of complaints) sequential.push(await evaluate(complaint));
      const concurrent = await Promise.all(complaints.map((complaint) => evaluate(complaint)));
      expect(concurrent).toEqual(sequential);
      // The history was consulted, so evaluations really did interleave while waiting for it.
      expect(sequential.some((evaluation) => evaluation.relatedComplaintIds.length > 0)).toBe(true);
    },
    60_000,
  );

  it('when the compiled and the engine paths run concurrently with each other, then they still agree', async () => {
    const [compiled, engine] = await Promise.all([
      Promise.all(
        complaints.map((complaint) => evaluateComplaint(ruleset, complaint, interleavingHistory, now)),
      ),
      Promise.all(
        complaints.map((complaint) =>
          evaluateComplaintWithEngine(ruleset, complaint, interleavingHistory, now),
        ),
      ),
    ]);
    compiled.forEach((evaluation, index) => {
      expect(evaluation.decision).toEqual(engine[index]?.decision);
      expect(evaluation.relatedComplaintIds).toEqual(engine[index]?.relatedComplaintIds);
    });
  }, 60_000);

  it('when a sequential engine evaluator is called again before it finished, then it refuses instead of skipping rules', async () => {
    const evaluate = createSequentialEngineEvaluator(ruleset);
    const [first, second] = await Promise.allSettled([
      evaluate(complaints[0] as ComplaintFacts, interleavingHistory, now),
      evaluate(complaints[1] as ComplaintFacts, interleavingHistory, now),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/concurrent/) }),
    });
    // Once the first one is done it serves again.
    await expect(evaluate(complaints[1] as ComplaintFacts, interleavingHistory, now)).resolves.toBeDefined();
  });

  it('when one json-rules-engine Engine serves overlapping runs, then rules are silently skipped (why no Engine is shared)', async () => {
    const engine = new Engine([], { allowUndefinedFacts: true });
    for (const priority of [1, 2, 3]) {
      engine.addRule({
        name: `rule-${priority}`,
        priority,
        conditions: { all: [{ fact: 'slow', operator: 'equal', value: true }] },
        event: { type: 'fired' },
      });
    }
    const run = (turns: number) =>
      engine.run({ slow: new Fact('slow', async () => (await yields(turns), true)) });
    const [quick, slow] = await Promise.all([run(1), run(5)]);
    expect(quick.results).toHaveLength(3);
    expect(slow.results.length + slow.failureResults.length).toBeLessThan(3);
    expect((await run(5)).results).toHaveLength(3);
  });
});
