import fc from 'fast-check';
import { scoreQa, scorecardFor, type FiredQaRule } from '../src/qa/qa-score';
import type { QaScorecard, QaScorecardsFile } from '../src/ruleset-schemas';

const name = { en: 'x', zh: 'x' };
const card: QaScorecard = {
  id: 'card',
  name,
  criteria: [
    { id: 'timely', name, kind: 'auto', points: 20, fatal: false },
    { id: 'wording', name, kind: 'auto', points: 10, fatal: true },
    { id: 'csat', name, kind: 'auto', points: 10, fatal: false },
    { id: 'empathy', name, kind: 'manual', points: 20, fatal: false },
  ],
};
const fired = (
  criterion: string,
  result: 'pass' | 'fail',
  extra: Partial<FiredQaRule> = {},
): FiredQaRule => ({
  rule: `${criterion}-${result}`,
  priority: 10,
  criterion,
  result,
  reason: `${criterion} ${result}`,
  ...extra,
});

describe('scoreQa', () => {
  it('when every auto criterion passes and a criterion has no rule, then it is left out of the score, not failed', () => {
    const score = scoreQa(card, [fired('timely', 'pass'), fired('wording', 'pass')]);
    expect(score).toMatchObject({
      points: 30,
      maxPoints: 30,
      score: 100,
      fatal: false,
      notScored: ['csat'],
      pendingManual: ['empathy'],
      complete: false,
    });
  });

  it('when one rule passes a criterion and another fails it, then the fail decides, whatever the order', () => {
    for (const rules of [
      [fired('timely', 'pass'), fired('timely', 'fail')],
      [fired('timely', 'fail'), fired('timely', 'pass')],
    ]) {
      const score = scoreQa(card, rules);
      expect(score.criteria).toEqual([
        expect.objectContaining({ criterion: 'timely', result: 'fail', points: 0, by: 'qa/timely-fail' }),
      ]);
      expect(score.score).toBe(0);
    }
  });

  it('when a rule gives partial points, then they count, capped at what the criterion is worth', () => {
    const score = scoreQa(card, [
      fired('timely', 'pass', { points: 12 }),
      fired('csat', 'fail', { points: 50 }),
    ]);
    expect(score.criteria.map((c) => [c.criterion, c.points])).toEqual([
      ['timely', 12],
      ['csat', 10],
    ]);
    expect(score).toMatchObject({ points: 22, maxPoints: 30, score: 73.3 });
  });

  it('when a fatal criterion fails, then the score is 0 though other criteria earned points', () => {
    const score = scoreQa(card, [fired('timely', 'pass'), fired('wording', 'fail')]);
    expect(score).toMatchObject({
      points: 20,
      maxPoints: 30,
      score: 0,
      fatal: true,
      fatalCriteria: ['wording'],
    });
  });

  it('when a reviewer scores the manual criterion, then the QA score is auto plus reviewer criteria and complete', () => {
    const score = scoreQa(
      card,
      [fired('timely', 'pass'), fired('wording', 'pass'), fired('csat', 'fail')],
      [
        {
          criterion: 'empathy',
          result: 'pass',
          points: 15,
          reviewer: 'reviewer:ann',
          reason: 'warm, accurate',
        },
      ],
    );
    expect(score).toMatchObject({ points: 45, maxPoints: 60, score: 75, complete: true, pendingManual: [] });
    expect(score.criteria.at(-1)).toMatchObject({ criterion: 'empathy', kind: 'manual', by: 'reviewer:ann' });
  });

  it('when nothing is scored, then the score is null, not 0 or 100', () => {
    expect(scoreQa(card, []).score).toBeNull();
  });

  it('always scores between 0 and 100, and 0 whenever a fatal criterion failed', () => {
    const verdict = fc.record({
      criterion: fc.constantFrom('timely', 'wording', 'csat', 'unknown'),
      result: fc.constantFrom('pass' as const, 'fail' as const),
      points: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(verdict, { maxLength: 8 }), (verdicts) => {
        const score = scoreQa(
          card,
          verdicts.map((v, i) => ({ rule: `r${i}`, priority: 1, reason: 'r', ...v })),
        );
        if (score.score !== null) expect(score.score).toBeGreaterThanOrEqual(0);
        if (score.score !== null) expect(score.score).toBeLessThanOrEqual(100);
        expect(score.points).toBeLessThanOrEqual(score.maxPoints);
        if (score.fatal) expect(score.score).toBe(0);
        expect(score.fatal).toBe(verdicts.some((v) => v.criterion === 'wording' && v.result === 'fail'));
      }),
    );
  });
});

describe('scorecardFor', () => {
  const cards: QaScorecardsFile = {
    defaultScorecard: 'standard',
    scorecards: [
      { ...card, id: 'billing-escalations', appliesTo: { queues: ['escalations'], categories: ['billing'] } },
      { ...card, id: 'escalations', appliesTo: { queues: ['escalations'] } },
      { ...card, id: 'standard' },
    ],
  };

  it('when a ticket matches several cards, then the first in file order wins; when none, the default', () => {
    expect(scorecardFor(cards, { queue: 'escalations', category: 'billing' }).id).toBe('billing-escalations');
    expect(scorecardFor(cards, { queue: 'escalations', category: 'fraud' }).id).toBe('escalations');
    expect(scorecardFor(cards, { queue: 'general', category: 'billing' }).id).toBe('standard');
  });
});
