import type { Job, Queue } from 'bullmq';
import type { CrmJob } from './router-timers';

export const crmDeliveryStates = ['failed', 'waiting', 'delayed', 'active', 'completed'] as const;
export type CrmDeliveryState = (typeof crmDeliveryStates)[number];

/** A CRM delivery as supervisors see it (GET /v1/crm-deliveries). */
export interface CrmDeliveryView {
  id: string;
  state: CrmDeliveryState;
  complaintId: string;
  source: string;
  url: string;
  event: unknown;
  attemptsMade: number;
  failedReason?: string;
  createdAt: Date;
  finishedAt?: Date;
}

function viewOf(job: Job<CrmJob>, state: CrmDeliveryState): CrmDeliveryView {
  return {
    id: job.id ?? '',
    state,
    complaintId: job.data.complaintId,
    source: job.data.source,
    url: job.data.url,
    event: job.data.payload.event,
    attemptsMade: job.attemptsMade,
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    createdAt: new Date(job.timestamp),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn) } : {}),
  };
}

/** The CRM deliveries in their job queue: listed by state, and a dead letter sent again. */
export class CrmDeliveries {
  constructor(private readonly queue: Queue<CrmJob>) {}

  async list(state: CrmDeliveryState, limit: number, source?: string): Promise<CrmDeliveryView[]> {
    // Newest first; a source filter reads a wider page so it still fills `limit` in most cases.
    const jobs = await this.queue.getJobs([state], 0, (source ? limit * 10 : limit) - 1, false);
    return jobs
      .filter((job): job is Job<CrmJob> => Boolean(job))
      .filter((job) => source === undefined || job.data.source === source)
      .slice(0, limit)
      .map((job) => viewOf(job, state));
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts(...crmDeliveryStates);
  }

  /** Sends a dead letter again (its attempts start over); null when there is no such failed delivery. */
  async retry(id: string): Promise<CrmDeliveryView | null> {
    const job = await this.queue.getJob(id);
    if (!job || (await job.getState()) !== 'failed') return null;
    await job.retry('failed', { resetAttemptsMade: true });
    return viewOf(job, 'waiting');
  }
}
