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
  tags: string[];
  points: number;
  maxPoints: number;
  /** 100 × points ÷ maxPoints of the criteria scored; 0 after a fatal failure; null when none was scored. */
  score: number | null;
  fatal: boolean;
  fatalCriteria: string[];
  firedRules: FiredQaRule[];
  rulesetVersion: string;
  evaluatedAt: Date;
  /** Every QA rule evaluated, with its condition trace (fact values, keywords matched). */
  trace: RuleTrace[];
}
