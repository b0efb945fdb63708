import type { ReviewReason } from './qa-sampling';

/** A reviewer's verdict on one manual criterion of the ticket's scorecard. */
export interface ManualScore {
  criterion: string;
  result: 'pass' | 'fail';
  /** Points earned when not all-or-nothing (0 … the criterion's points). */
  points?: number;
  comment?: string;
}

export const reviewStatuses = ['open', 'assigned', 'scored', 'disputed', 'settled'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

export interface ReviewHistoryEvent {
  type: string;
  at: Date;
  actor: string;
  data?: Record<string, unknown>;
}

/**
 * A closed ticket drawn for QA review (`qaReviews`, `_id` = `<ticket>-c<close number>`: one review
 * per close, however many reasons drew it). open → assigned (a reviewer took it) → scored → the
 * reviewed agent may dispute once → a supervisor settles.
 */
export interface QaReview {
  _id: string;
  complaintId: string;
  /** Which close: the ticket's reopen count when it closed. */
  closeNumber: number;
  /** Whose handling is reviewed: the agent who held the ticket. */
  agentId: string | null;
  queue: string;
  category: string | null;
  reasons: ReviewReason[];
  status: ReviewStatus;
  openedAt: Date;
  /** Scored by then, or the review is overdue. */
  dueAt: Date;
  /** `qa:<name>` or `supervisor:<name>`. */
  reviewer: string | null;
  assignedAt?: Date;
  scores?: ManualScore[];
  comment?: string;
  scoredAt?: Date;
  /** The ticket's QA score with the reviewer's criteria (0–100), or null when nothing is scorable. */
  score?: number | null;
  /** Until when the agent may dispute. */
  disputeUntil?: Date;
  dispute?: { by: string; at: Date; reason: string };
  settlement?: { by: string; at: Date; decision: 'upheld' | 'overturned'; reason: string };
  history: ReviewHistoryEvent[];
}

export function reviewIdOf(complaintId: string, closeNumber: number): string {
  return `${complaintId}-c${closeNumber}`;
}
