import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import type { FollowUpFiringOutcome } from '../../domain/follow-ups';
import type { TicketDesk } from '../../domain/ticket-desk';
import { followUpJobSchema, type FollowUpJob } from '../../data-access/router-timers';

/** A follow-up promise's reminder or due time came: the desk reminds, or marks it missed, once. */
export function followUpProcessor(deps: { desk: TicketDesk; logger: Logger }) {
  return async (job: Job<FollowUpJob>): Promise<FollowUpFiringOutcome> => {
    const parsed = followUpJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad follow-up job payload: ${parsed.error.message}`);
    const { complaintId, followUpId, kind } = parsed.data;
    const outcome = await deps.desk.fireFollowUp(complaintId, followUpId, kind);
    deps.logger.debug({ jobId: job.id, outcome }, 'follow-up timer handled');
    return outcome;
  };
}
