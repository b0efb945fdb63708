import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import type { TicketDesk } from '../../domain/ticket-desk';
import { leaseJobSchema, type LeaseJob } from '../../data-access/router-timers';

/** A lease may have run out: the desk returns the ticket to its queue unless it was renewed. */
export function leaseProcessor(deps: { desk: TicketDesk; logger: Logger }) {
  return async (job: Job<LeaseJob>): Promise<string> => {
    const parsed = leaseJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad lease job payload: ${parsed.error.message}`);
    const outcome = await deps.desk.expireLease(parsed.data.complaintId, parsed.data.agentId);
    if (outcome === 'expired')
      deps.logger.info({ ...parsed.data }, 'lease expired; ticket back in its queue');
    return outcome;
  };
}
