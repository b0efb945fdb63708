import { defaultJobOptions, jobIds, pipelineJobQueues, type QaJob } from '@triage/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AutoQaQueue } from '../domain/ports';

/** The worker's `qa` job queue, from the router's side: one job per close of a ticket. */
export class BullAutoQaQueue implements AutoQaQueue {
  readonly queue: Queue<QaJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<QaJob>(pipelineJobQueues.qa, { connection, prefix, defaultJobOptions });
  }

  async requestQa(complaintId: string, closeNumber: number, requestId: string | undefined): Promise<void> {
    await this.queue.add(
      'qa',
      { complaintId, closeNumber, ...(requestId ? { requestId } : {}) },
      { jobId: jobIds.qa(complaintId, closeNumber) },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
