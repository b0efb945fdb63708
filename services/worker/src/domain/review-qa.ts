import { scoreQa, type ManualQaScore, type QaResult, type Ruleset } from '@triage/rules';
import type { ComplaintQa } from '@triage/shared/complaint';
import { ConflictError, NotFoundError, ValidationError } from '@triage/shared/kernel';
import type { QaStore } from './ports';

/** A reviewer's verdict on one manual criterion of the ticket's card. */
export interface QaReview {
  criterion: string;
  result: QaResult;
  points?: number | undefined;
  reason: string;
}

/**
 * Records a reviewer's scores for the manual criteria of a scored ticket and recomputes its QA
 * score: auto criteria (the rules fired at the close) plus every reviewer criterion, on the
 * ticket's card as it is now. A criterion reviewed again is replaced. One update guarded by the
 * close and the review count, so two reviews at once never lose one another (409: try again).
 */
export async function reviewQa(
  complaintId: string,
  reviews: readonly QaReview[],
  reviewer: string,
  ruleset: Ruleset,
  store: QaStore,
  now: Date = new Date(),
): Promise<ComplaintQa> {
  const complaint = await store.load(complaintId);
  if (!complaint) throw new NotFoundError(`No complaint with id ${complaintId}.`);
  const qa = complaint.qa;
  if (!qa)
    throw new ConflictError(`Ticket ${complaintId} has no QA result yet (it is scored when it closes).`);
  const card = ruleset.qaScorecards.scorecards.find((c) => c.id === qa.scorecard);
  if (!card) throw new ConflictError(`Scorecard "${qa.scorecard}" is no longer in rules/qa-scorecards.json.`);
  const problems = reviews.flatMap((review, index) => {
    const criterion = card.criteria.find((c) => c.id === review.criterion);
    if (criterion?.kind === 'manual') return [];
    return [
      {
        path: `/scores/${index}/criterion`,
        message: criterion
          ? `"${review.criterion}" is scored by rules (kind "auto"), not by a reviewer`
          : `no criterion "${review.criterion}" on scorecard "${card.id}"`,
      },
    ];
  });
  if (problems.length > 0)
    throw new ValidationError('Only manual criteria of the ticket’s card can be reviewed.', problems);

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
  for (const review of reviews) {
    reviewed.set(review.criterion, {
      criterion: review.criterion,
      result: review.result,
      ...(review.points === undefined ? {} : { points: review.points }),
      reviewer,
      reason: review.reason,
    });
  }
  const score = scoreQa(card, qa.firedRules, [...reviewed.values()]);
  const next: ComplaintQa = {
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
    reviewedAt: now,
  };
  if (!(await store.saveReview(complaintId, qa, next, reviewer))) {
    throw new ConflictError(`Ticket ${complaintId}'s QA changed while it was reviewed; try again.`);
  }
  return next;
}
