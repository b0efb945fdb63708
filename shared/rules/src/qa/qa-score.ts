import type { QaCriterion, QaResult, QaScorecard, QaScorecardsFile } from '../ruleset-schemas';

/** A QA rule that fired: the criterion it scores and its verdict. */
export interface FiredQaRule {
  rule: string;
  priority: number;
  criterion: string;
  result: QaResult;
  points?: number;
  tags?: string[];
  reason: string;
}

/** One criterion's score on a ticket. */
export interface QaCriterionScore {
  criterion: string;
  kind: QaCriterion['kind'];
  result: QaResult;
  /** Points earned (0 … maxPoints). */
  points: number;
  maxPoints: number;
  fatal: boolean;
  /** The rule that decided it (auto), or the reviewer (manual). */
  by: string;
  reason: string;
}

/** A reviewer's verdict on a manual criterion. */
export interface ManualQaScore {
  criterion: string;
  result: QaResult;
  points?: number;
  reviewer: string;
  reason: string;
}

/** A ticket's QA score over one card: the criteria scored, and what is still open. */
export interface QaScore {
  scorecard: string;
  criteria: QaCriterionScore[];
  /** Auto criteria no rule scored (not applicable to this ticket): left out of the score. */
  notScored: string[];
  /** Manual criteria no reviewer has scored yet. */
  pendingManual: string[];
  points: number;
  maxPoints: number;
  /** 100 × points ÷ maxPoints (one decimal), 0 after a fatal failure, null when nothing was scored. */
  score: number | null;
  fatal: boolean;
  fatalCriteria: string[];
  /** Whether every criterion of the card is scored or not applicable (no manual one pending). */
  complete: boolean;
}

/** The card a ticket is scored on: the first whose appliesTo matches its queue and category, else the default. */
export function scorecardFor(
  cards: QaScorecardsFile,
  ticket: { queue: string; category: string },
): QaScorecard {
  const matches = (card: QaScorecard) => {
    const { appliesTo } = card;
    if (!appliesTo) return false;
    return (
      (appliesTo.queues === undefined || appliesTo.queues.includes(ticket.queue)) &&
      (appliesTo.categories === undefined || appliesTo.categories.includes(ticket.category))
    );
  };
  const card =
    cards.scorecards.find(matches) ?? cards.scorecards.find((c) => c.id === cards.defaultScorecard);
  // compileRuleset checks that defaultScorecard names a card.
  if (!card) throw new Error(`no scorecard "${cards.defaultScorecard}"`);
  return card;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Scores a ticket on a card: auto criteria from the fired QA rules (in priority order; a failing
 * rule beats a passing one, so one breach is never hidden by another rule's pass), manual ones
 * from reviewers. A failed fatal criterion makes the score 0. Pure.
 */
export function scoreQa(
  card: QaScorecard,
  fired: readonly FiredQaRule[],
  manual: readonly ManualQaScore[] = [],
): QaScore {
  const criteria: QaCriterionScore[] = [];
  const notScored: string[] = [];
  const pendingManual: string[] = [];
  for (const criterion of card.criteria) {
    const base = { criterion: criterion.id, kind: criterion.kind, maxPoints: criterion.points };
    const clamp = (points: number | undefined, fallback: number) =>
      Math.min(criterion.points, Math.max(0, points ?? fallback));
    if (criterion.kind === 'manual') {
      const review = manual.find((score) => score.criterion === criterion.id);
      if (!review) {
        pendingManual.push(criterion.id);
        continue;
      }
      const pass = review.result === 'pass';
      criteria.push({
        ...base,
        result: review.result,
        points: clamp(review.points, pass ? criterion.points : 0),
        fatal: criterion.fatal && !pass,
        by: review.reviewer,
        reason: review.reason,
      });
      continue;
    }
    const verdicts = fired.filter((rule) => rule.criterion === criterion.id);
    const decisive = verdicts.find((rule) => rule.result === 'fail') ?? verdicts[0];
    if (!decisive) {
      notScored.push(criterion.id);
      continue;
    }
    const pass = decisive.result === 'pass';
    criteria.push({
      ...base,
      result: decisive.result,
      points: clamp(decisive.points, pass ? criterion.points : 0),
      fatal: criterion.fatal && !pass,
      by: `qa/${decisive.rule}`,
      reason: decisive.reason,
    });
  }
  const points = criteria.reduce((sum, c) => sum + c.points, 0);
  const maxPoints = criteria.reduce((sum, c) => sum + c.maxPoints, 0);
  const fatalCriteria = criteria.filter((c) => c.fatal).map((c) => c.criterion);
  const fatal = fatalCriteria.length > 0;
  return {
    scorecard: card.id,
    criteria,
    notScored,
    pendingManual,
    points: round1(points),
    maxPoints: round1(maxPoints),
    score: fatal ? 0 : maxPoints > 0 ? round1((100 * points) / maxPoints) : null,
    fatal,
    fatalCriteria,
    complete: pendingManual.length === 0,
  };
}
