import { UnrecoverableError, type Job } from 'bullmq';
import { rateMonitorJobSchema, type RateMonitorJob } from '../../data-access/rate-monitor-queue';
import type { RateMonitorDeps } from '../../domain/complaint-rate-ports';
import { monitorComplaintRates, type RateMonitorResult } from '../../domain/monitor-complaint-rates';

/** Counts the current (or the job's) hour and day and raises the spikes it finds. */
export function rateMonitorProcessor(deps: RateMonitorDeps) {
  return async (job: Job<RateMonitorJob>): Promise<RateMonitorResult> => {
    const parsed = rateMonitorJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`bad complaint-rates job payload: ${parsed.error.message}`);
    return monitorComplaintRates(deps, parsed.data.at ? new Date(parsed.data.at) : new Date());
  };
}
