import type { QaSamplingFile } from '@triage/rules';
import type { ComplaintQa, ComplaintRecord } from '@triage/shared/complaint';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@triage/shared/kernel';
import { reviewIdOf, type ManualScore, type QaReview, type ReviewHistoryEvent } from './qa-review-model';
import { sampleReasons, type ReviewReason } from './qa-sampling';

const HOUR = 3_600_000;

/** The reviews' storage: one document per review, every change one guarded update. */
export interface ReviewStore {
  /**
   * Opens the review of a close, or adds reasons to the one already open (an upsert by `_id`):
   * drawing a close twice never makes two reviews. Answers the review as it now is.
   */
  open(
    review: Omit<QaReview, 'reasons' | 'history'>,
    reasons: readonly ReviewReason[],
    event: ReviewHistoryEvent,
  ): Promise<QaReview>;
  findById(id: string): Promise<QaReview | null>;
  /** Takes the oldest open review for `reviewer`; null when none is open. */
  takeNext(reviewer: string, at: Date): Promise<QaReview | null>;
  /** Applies `set` (and its history event) if the review is still in `expected` status (and held by `reviewer`). */
  transition(
    id: string,
    expected: { status: QaReview['status']; reviewer?: string | null },
    set: Partial<QaReview>,
    event: ReviewHistoryEvent,
  ): Promise<QaReview | null>;
  list(filter: ReviewFilter, limit: number): Promise<QaReview[]>;
}

export interface ReviewFilter {
  status?: QaReview['status'][];
  reviewer?: string;
  agentId?: string;
}

/** The ticket's scorecard as a review needs it: the manual criteria, and the score with them. */
/** One line of the ticket's scorecard, as a reviewer reads it. */
export interface ScorecardLine {
  id: string;
  name: { en: string; zh: string };
  kind: 'auto' | 'manual';
  points: number;
  fatal: boolean;
}

export interface QaScoring {
  /** Every criterion of the card the ticket is scored on, with its bilingual name (for the QA page). */
  criteria(complaint: ComplaintRecord): ScorecardLine[];
  /** The manual criteria of that card (empty when QA has not scored it yet). */
  manualCriteria(complaint: ComplaintRecord): ScorecardLine[];
  /** The ticket's QA result with these manual scores added to the auto ones; null when not auto-scored. */
  rescore(
    complaint: ComplaintRecord,
    manual: readonly ManualScore[],
    reviewer: string,
    at: Date,
  ): ComplaintQa | null;
}

export interface ReviewDeps {
  reviews: ReviewStore;
  tickets: {
    findById(id: string): Promise<ComplaintRecord | null>;
    /**
     * Replaces the ticket's QA result `before` with `after` (a review), with a `qa.reviewed` event,
     * if it is still that close and no other review was stored since; false otherwise.
     */
    saveReviewedQa(
      id: string,
      before: ComplaintQa,
      after: ComplaintQa,
      reviewer: string,
      reviewId: string,
    ): Promise<boolean>;
  };
  scoring: QaScoring;
  plan: () => QaSamplingFile;
  now: () => Date;
}

function event(type: string, actor: string, at: Date, data?: Record<string, unknown>): ReviewHistoryEvent {
  return { type, at, actor, ...(data ? { data } : {}) };
}

/**
 * A closed ticket (or one whose survey came back low after it closed) may be drawn for review:
 * the plan's reasons decide; none means no review. Idempotent: the review of a close is one
 * document, later reasons are added to it.
 */
export async function requestReview(
  deps: Pick<ReviewDeps, 'reviews' | 'plan' | 'now'>,
  complaint: ComplaintRecord,
): Promise<QaReview | null> {
  if (complaint.status !== 'closed' || !complaint.ticket) return null;
  const closedAt = complaint.ticket.closedAt ? new Date(complaint.ticket.closedAt) : deps.now();
  const plan = deps.plan();
  const reasons = sampleReasons(complaint, plan, closedAt);
  if (reasons.length === 0) return null;
  const now = deps.now();
  const closeNumber = complaint.ticket.reopenCount ?? 0;
  return deps.reviews.open(
    {
      _id: reviewIdOf(complaint._id, closeNumber),
      complaintId: complaint._id,
      closeNumber,
      agentId: complaint.ticket.agentId ?? null,
      queue: complaint.ticket.queue,
      category: complaint.decision?.category ?? null,
      status: 'open',
      openedAt: now,
      dueAt: new Date(now.getTime() + plan.reviewDueHours * HOUR),
      reviewer: null,
    },
    reasons,
    event('qa.review-opened', 'router:qa-sampling', now, { reasons }),
  );
}

/** A reviewer takes the oldest open review. */
export async function takeNextReview(
  deps: Pick<ReviewDeps, 'reviews' | 'now'>,
  reviewer: string,
): Promise<QaReview | null> {
  return deps.reviews.takeNext(reviewer, deps.now());
}

/** A supervisor gives an open (or someone else's unscored) review to a named reviewer. */
export async function assignReview(
  deps: Pick<ReviewDeps, 'reviews' | 'now'>,
  id: string,
  reviewer: string,
  by: string,
): Promise<QaReview> {
  const current = await mustFind(deps, id);
  if (current.status !== 'open' && current.status !== 'assigned') {
    throw new ConflictError(`Review ${id} is ${current.status}; only an unscored review can be assigned.`);
  }
  const now = deps.now();
  const updated = await deps.reviews.transition(
    id,
    { status: current.status, reviewer: current.reviewer },
    { status: 'assigned', reviewer, assignedAt: now },
    event('qa.review-assigned', by, now, { reviewer }),
  );
  if (!updated) throw new ConflictError(`Review ${id} changed meanwhile; read it again.`);
  return updated;
}

function checkScores(
  manual: readonly ManualScore[],
  criteria: ReadonlyArray<{ id: string; points: number }>,
): void {
  const problems: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  manual.forEach((score, index) => {
    const criterion = criteria.find((candidate) => candidate.id === score.criterion);
    if (!criterion) {
      problems.push({
        path: `/scores/${index}/criterion`,
        message: `not a manual criterion of this ticket's scorecard (${criteria.map((c) => c.id).join(', ') || 'none'})`,
      });
    } else if (score.points !== undefined && score.points > criterion.points) {
      problems.push({ path: `/scores/${index}/points`, message: `at most ${criterion.points}` });
    }
    if (seen.has(score.criterion))
      problems.push({ path: `/scores/${index}/criterion`, message: 'scored twice' });
    seen.add(score.criterion);
  });
  const missing = criteria.filter((criterion) => !seen.has(criterion.id)).map((criterion) => criterion.id);
  if (missing.length > 0) problems.push({ path: '/scores', message: `missing: ${missing.join(', ')}` });
  if (problems.length > 0) throw new ValidationError('The scores do not match the scorecard.', problems);
}

async function mustFind(deps: Pick<ReviewDeps, 'reviews'>, id: string): Promise<QaReview> {
  const review = await deps.reviews.findById(id);
  if (!review) throw new NotFoundError(`No review with id ${id}.`);
  return review;
}

async function storeScore(
  deps: ReviewDeps,
  review: QaReview,
  expected: { status: QaReview['status']; reviewer?: string | null },
  manual: readonly ManualScore[],
  set: Partial<QaReview>,
  historyEvent: ReviewHistoryEvent,
): Promise<QaReview> {
  const complaint = await deps.tickets.findById(review.complaintId);
  if (!complaint) throw new NotFoundError(`The ticket of review ${review._id} is gone.`);
  // The ticket's score adds the reviewer's verdicts to the auto criteria: both must be there.
  if (complaint.qa?.closeNumber !== review.closeNumber) {
    throw new ConflictError(
      `The auto-QA has not scored this close of the ticket yet (the worker does it when the ticket closes); try again shortly.`,
      { extra: { autoQaPending: true } },
    );
  }
  checkScores(manual, deps.scoring.manualCriteria(complaint));
  const before = complaint.qa;
  const after = deps.scoring.rescore(complaint, manual, historyEvent.actor, historyEvent.at);
  if (!after) throw new ConflictError(`The auto-QA result of review ${review._id}'s ticket is missing.`);
  // The ticket first (guarded by its close and review count), then the review.
  if (
    !(await deps.tickets.saveReviewedQa(review.complaintId, before, after, historyEvent.actor, review._id))
  ) {
    throw new ConflictError(`The ticket's QA changed while review ${review._id} was scored; try again.`);
  }
  const score = after.score;
  const updated = await deps.reviews.transition(
    review._id,
    expected,
    { ...set, scores: [...manual], score },
    { ...historyEvent, data: { ...historyEvent.data, score } },
  );
  if (!updated) throw new ConflictError(`Review ${review._id} changed meanwhile; read it again.`);
  return updated;
}

/** The assigned reviewer scores the manual criteria, with comments; the ticket's QA score follows. */
export async function scoreReview(
  deps: ReviewDeps,
  id: string,
  reviewer: string,
  input: { scores: ManualScore[]; comment?: string },
): Promise<QaReview> {
  const review = await mustFind(deps, id);
  if (review.status !== 'assigned')
    throw new ConflictError(`Review ${id} is ${review.status}, not waiting for scores.`);
  if (review.reviewer !== reviewer) throw new ForbiddenError(`Review ${id} is assigned to someone else.`);
  const now = deps.now();
  const plan = deps.plan();
  return storeScore(
    deps,
    review,
    { status: 'assigned', reviewer },
    input.scores,
    {
      status: 'scored',
      scoredAt: now,
      disputeUntil: new Date(now.getTime() + plan.disputeWithinHours * 3_600_000),
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
    },
    event('qa.reviewed', reviewer, now),
  );
}

/** The reviewed agent disputes the review, once, within the plan's window. */
export async function disputeReview(
  deps: Pick<ReviewDeps, 'reviews' | 'now'>,
  id: string,
  agentId: string,
  reason: string,
): Promise<QaReview> {
  const review = await mustFind(deps, id);
  if (review.agentId !== agentId) throw new NotFoundError(`No review with id ${id}.`);
  if (review.dispute)
    throw new ConflictError(`Review ${id} was disputed already: a review is disputed once.`);
  if (review.status !== 'scored')
    throw new ConflictError(`Review ${id} is ${review.status}; only a scored review can be disputed.`);
  const now = deps.now();
  if (review.disputeUntil && now.getTime() > new Date(review.disputeUntil).getTime()) {
    throw new ConflictError(
      `The time to dispute review ${id} ended at ${new Date(review.disputeUntil).toISOString()}.`,
    );
  }
  const actor = `agent:${agentId}`;
  const updated = await deps.reviews.transition(
    id,
    { status: 'scored' },
    { status: 'disputed', dispute: { by: actor, at: now, reason } },
    event('qa.disputed', actor, now, { reason }),
  );
  if (!updated) throw new ConflictError(`Review ${id} changed meanwhile; read it again.`);
  return updated;
}

/** A supervisor settles a dispute: the review stands, or it is overturned with corrected scores. */
export async function settleDispute(
  deps: ReviewDeps,
  id: string,
  by: string,
  input: { decision: 'upheld' | 'overturned'; reason: string; scores?: ManualScore[] },
): Promise<QaReview> {
  const review = await mustFind(deps, id);
  if (review.status !== 'disputed')
    throw new ConflictError(`Review ${id} is ${review.status}; there is no dispute to settle.`);
  const now = deps.now();
  const settlement = { by, at: now, decision: input.decision, reason: input.reason };
  const historyEvent = event('qa.dispute-settled', by, now, {
    decision: input.decision,
    reason: input.reason,
  });
  if (input.decision === 'overturned') {
    if (!input.scores) {
      throw new ValidationError('An overturned review needs the corrected scores.', [
        { path: '/scores', message: 'required when the decision is overturned' },
      ]);
    }
    return storeScore(
      deps,
      review,
      { status: 'disputed' },
      input.scores,
      { status: 'settled', settlement },
      historyEvent,
    );
  }
  if (input.scores) {
    throw new ValidationError('An upheld review keeps its scores.', [
      { path: '/scores', message: 'only with overturned' },
    ]);
  }
  const updated = await deps.reviews.transition(
    id,
    { status: 'disputed' },
    { status: 'settled', settlement },
    historyEvent,
  );
  if (!updated) throw new ConflictError(`Review ${id} changed meanwhile; read it again.`);
  return updated;
}
