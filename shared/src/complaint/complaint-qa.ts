import type { FiredQaRule, QaCriterionScore, RuleTrace } from '@triage/rules';

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
  /** Manual criteria a reviewer scored (POST /v1/qa/:complaintId/review on the worker). */
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
