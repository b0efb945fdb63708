import {
  actorLabel,
  ForbiddenError,
  NotFoundError,
  seesEverything,
  type Principal,
} from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';

/** The source of complaints posted through the API by anyone but a CRM. */
export const API_SOURCE = 'api';

/**
 * Where a caller's submission belongs. `source` is stored on the complaint; `scope` makes its
 * external id and Idempotency-Key unique: a CRM's scope is its source (shared with its signed
 * webhook, so either path deduplicates the other), anyone else's is their own `role:subject`,
 * so one caller's key or id never answers with another caller's complaint.
 */
export interface SubmissionScope {
  source: string;
  scope: string;
}

/**
 * A crm key speaks for its source only; other callers submit as `api`. A `source` in the body
 * must be the caller's own (absent means the caller's own): anything else is 403.
 */
export function submissionScopeOf(
  principal: Principal,
  requestedSource: string | undefined,
): SubmissionScope {
  const own =
    principal.role === 'crm'
      ? { source: principal.subject, scope: principal.subject }
      : { source: API_SOURCE, scope: actorLabel(principal) };
  if (requestedSource !== undefined && requestedSource !== own.source) {
    throw new ForbiddenError(
      `This key submits for source "${own.source}" only; it may not submit for "${requestedSource}".`,
    );
  }
  return own;
}

/**
 * Who may read a complaint through intake: supervisors and admins all; a CRM its own source's
 * (another source's is 404, so ids cannot be probed); agents none here — they read the tickets
 * of their queues through the router, which knows their skills.
 */
export function assertMayRead(
  principal: Principal,
  complaint: Pick<ComplaintRecord, '_id' | 'source'>,
): void {
  if (seesEverything(principal)) return;
  if (principal.role === 'crm') {
    if (complaint.source === principal.subject) return;
    throw new NotFoundError(`No complaint with id ${complaint._id}.`);
  }
  throw new ForbiddenError(
    `Agents read complaints as tickets on the router: GET /v1/tickets/${complaint._id} (the queues your skills allow, and tickets you hold or held).`,
  );
}
