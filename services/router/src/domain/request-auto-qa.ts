import type { ComplaintRecord } from '@triage/shared/complaint';
import type { DeskDeps } from './desk-deps';

/**
 * Asks the worker to score a ticket that just closed with the auto-QA rules (docs/quality.md).
 * The ticket is closed whatever happens here: a failure is logged (the worker's QA dry-run still
 * shows what the ticket would score; adding the job again stores it).
 */
/**
 * Offers a closed ticket to the QA sampling plan (a review opens when a reason applies). The
 * ticket stays as it is whatever happens here: a failure is logged.
 */
export async function offerForReview(
  deps: Pick<DeskDeps, 'requestQaReview' | 'logger'>,
  complaint: ComplaintRecord,
  requestId?: string,
): Promise<void> {
  if (!deps.requestQaReview || complaint.status !== 'closed') return;
  try {
    await deps.requestQaReview(complaint);
  } catch (error) {
    deps.logger.warn({ err: error, complaintId: complaint._id, requestId }, 'QA review not opened');
  }
}

export async function requestAutoQa(
  deps: Pick<DeskDeps, 'autoQa' | 'logger'>,
  closed: ComplaintRecord,
  requestId: string | undefined,
): Promise<void> {
  if (!deps.autoQa || closed.status !== 'closed') return;
  try {
    await deps.autoQa.requestQa(closed._id, closed.ticket?.reopenCount ?? 0, requestId);
  } catch (error) {
    deps.logger.warn({ err: error, complaintId: closed._id, requestId }, 'auto-QA not requested');
  }
}
