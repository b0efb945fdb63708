import { defaultJobOptions, jobIds, queueNames, type TriageJob } from '@triage/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TriageQueue } from '../domain/submit-complaint';

/** The producer side of the triage queue, with deterministic job ids. */
export class BullTriageQueue implements TriageQueue {
  readonly queue: Queue<TriageJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<TriageJob>(queueNames.triage, { connection, prefix, defaultJobOptions });
  }

  async enqueue(complaintId: string, requestId: string | undefined): Promise<void> {
    await this.queue.add(
      'triage',
      { complaintId, ...(requestId ? { requestId } : {}) },
      { jobId: jobIds.triage(complaintId) },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
