import type { ComplaintRecord } from '@triage/shared/complaint';
import type { DeskDeps } from './desk-deps';

/**
 * Asks the worker to score a ticket that just closed with the auto-QA rules (docs/quality.md).
 * The ticket is closed whatever happens here: a failure is logged (the worker's QA dry-run still
 * shows what the ticket would score; adding the job again stores it).
 */
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
