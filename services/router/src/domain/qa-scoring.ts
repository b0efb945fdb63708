import { scorecardFor, type QaScorecard, type QaScorecardsFile } from '@triage/rules';
import { withReviewerScores, type ComplaintRecord } from '@triage/shared/complaint';
import type { ManualScore } from './qa-review-model';
import type { QaScoring, ScorecardLine } from './qa-reviews';

/**
 * Reviews scored on the rules' scorecards (rules/qa-scorecards.json, as loaded now): the card the
 * auto-QA used for the ticket (else the one its queue and category pick), its manual criteria,
 * and the ticket's QA result with the reviewer's verdicts added to the auto ones.
 */
export function scorecardScoring(cards: () => QaScorecardsFile): QaScoring {
  const cardOf = (complaint: ComplaintRecord): QaScorecard => {
    const file = cards();
    const named = complaint.qa?.scorecard;
    return (
      (named ? file.scorecards.find((card) => card.id === named) : undefined) ??
      scorecardFor(file, {
        queue: complaint.ticket?.queue ?? '',
        category: complaint.decision?.category ?? '',
      })
    );
  };
  const linesOf = (complaint: ComplaintRecord): ScorecardLine[] =>
    cardOf(complaint).criteria.map((criterion) => ({
      id: criterion.id,
      name: criterion.name,
      kind: criterion.kind,
      points: criterion.points,
      fatal: criterion.fatal,
    }));
  return {
    criteria: linesOf,
    manualCriteria: (complaint) => linesOf(complaint).filter((line) => line.kind === 'manual'),
    rescore: (complaint, manual: readonly ManualScore[], reviewer: string, at: Date) => {
      const qa = complaint.qa;
      if (!qa) return null;
      return withReviewerScores(
        qa,
        cardOf(complaint),
        manual.map((score) => ({
          criterion: score.criterion,
          result: score.result,
          ...(score.points !== undefined ? { points: score.points } : {}),
          reviewer,
          reason: score.comment ?? '',
        })),
        at,
      );
    },
  };
}
