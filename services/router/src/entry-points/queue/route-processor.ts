import type { Logger } from '@triage/shared/kernel';
import { routeJobSchema, type RouteJob } from '@triage/shared/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import type { TicketDesk } from '../../domain/ticket-desk';

/** Puts a triaged complaint in its agent queue and plans its SLA timers; a replayed job is a no-op. */
export function routeProcessor(deps: { desk: TicketDesk; logger: Logger }) {
  return async (job: Job<RouteJob>): Promise<string> => {
    const parsed = routeJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad route job payload: ${parsed.error.message}`);
    const { complaintId, requestId } = parsed.data;
    const outcome = await deps.desk.routeTriaged(complaintId, requestId);
    if (outcome === 'missing') throw new UnrecoverableError(`complaint ${complaintId} does not exist`);
    deps.logger.info({ complaintId, requestId, outcome }, 'complaint routed');
    return outcome;
  };
}
