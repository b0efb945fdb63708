import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import type { SlaFiringOutcome } from '../../domain/fire-sla-timer';
import type { TicketDesk } from '../../domain/ticket-desk';
import { slaTimerJobSchema, type SlaTimerJob } from '../../data-access/router-timers';

/** An SLA timer is due: the desk records it and applies its ladder step once. */
export function slaProcessor(deps: { desk: TicketDesk; logger: Logger }) {
  return async (job: Job<SlaTimerJob>): Promise<SlaFiringOutcome> => {
    const parsed = slaTimerJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad sla job payload: ${parsed.error.message}`);
    const { dueAt, ...rest } = parsed.data;
    const outcome = await deps.desk.fireSlaTimer({ ...rest, dueAt: new Date(dueAt) });
    deps.logger.debug({ jobId: job.id, outcome }, 'sla timer handled');
    return outcome;
  };
}
