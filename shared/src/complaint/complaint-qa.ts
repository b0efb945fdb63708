import {
  scoreQa,
  type FiredQaRule,
  type ManualQaScore,
  type QaCriterionScore,
  type QaScorecard,
  type RuleTrace,
} from '@triage/rules';

/**
 * The auto-QA result the worker stores on a complaint when its ticket closes (rules/qa.json
 * scored on the ticket's card in rules/qa-scorecards.json). See docs/quality.md.
 */
export interface ComplaintQa {
  /** Which close it scores: the ticket's reopen count at the close (a retried job scores once). */
  closeNumber: number;
  scorecard: string;
  /** The auto criteria scored, each with the rule that decided it and why. */
  auto: QaCriterionScore[];
  /** Auto criteria no rule scored (not applicable): left out of the score. */
  notScored: string[];
  /** Manual criteria waiting for a reviewer. */
  pendingManual: string[];
  /** Manual criteria a reviewer scored (a QA review on the router: docs/quality.md). */
  manual?: QaCriterionScore[];
  /** Whether no manual criterion is pending. */
  complete: boolean;
  /** How many reviews were stored: each review is one update guarded by it. */
  reviewCount: number;
  reviewedAt?: Date;
  tags: string[];
  points: number;
  maxPoints: number;
  /** 100 × points ÷ maxPoints of the criteria scored (auto + reviewer); 0 after a fatal failure; null when none was. */
  score: number | null;
  /** The score of the auto criteria alone, as stored at the close (what a QA replay compares with). */
  autoScore: number | null;
  fatal: boolean;
  fatalCriteria: string[];
  firedRules: FiredQaRule[];
  rulesetVersion: string;
  evaluatedAt: Date;
  /** Every QA rule evaluated, with its condition trace (fact values, keywords matched). */
  trace: RuleTrace[];
}

/**
 * The QA result once a reviewer scored manual criteria: the auto criteria (the rules fired at the
 * close) plus every reviewer criterion, on the ticket's card; a criterion scored again is
 * replaced. `reviewCount` grows by one: the store's update is guarded by it. Pure.
 */
export function withReviewerScores(
  qa: ComplaintQa,
  card: QaScorecard,
  manual: readonly ManualQaScore[],
  at: Date,
): ComplaintQa {
  const reviewed = new Map<string, ManualQaScore>(
    (qa.manual ?? []).map((score) => [
      score.criterion,
      {
        criterion: score.criterion,
        result: score.result,
        points: score.points,
        reviewer: score.by,
        reason: score.reason,
      },
    ]),
  );
  for (const score of manual) reviewed.set(score.criterion, score);
  const score = scoreQa(card, qa.firedRules, [...reviewed.values()]);
  return {
    ...qa,
    auto: score.criteria.filter((c) => c.kind === 'auto'),
    manual: score.criteria.filter((c) => c.kind === 'manual'),
    notScored: score.notScored,
    pendingManual: score.pendingManual,
    complete: score.complete,
    points: score.points,
    maxPoints: score.maxPoints,
    score: score.score,
    fatal: score.fatal,
    fatalCriteria: score.fatalCriteria,
    reviewCount: (qa.reviewCount ?? 0) + 1,
    reviewedAt: at,
  };
}
