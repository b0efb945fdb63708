import { defaultJobOptions, jobIds, pipelineJobQueues, type TriageJob } from '@triage/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TriageQueue } from '../domain/ports';

/** Rejects when `promise` has not settled within `ms`; the late result is dropped. */
export async function withinTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The producer side of the triage queue, with deterministic job ids. */
export class BullTriageQueue implements TriageQueue {
  readonly queue: Queue<TriageJob>;

  /**
   * `timeoutMs` bounds an add: while Redis is away BullMQ may wait for its connection, and a
   * request must not. A late add that does land is harmless (the job id is deterministic).
   */
  constructor(
    connection: Redis,
    prefix: string,
    private readonly timeoutMs: number,
  ) {
    this.queue = new Queue<TriageJob>(pipelineJobQueues.triage, { connection, prefix, defaultJobOptions });
  }

  async enqueue(complaintId: string, requestId: string | undefined): Promise<void> {
    const added = this.queue.add(
      'triage',
      { complaintId, ...(requestId ? { requestId } : {}) },
      { jobId: jobIds.triage(complaintId) },
    );
    // A rejection after the timeout has nobody waiting for it.
    added.catch(() => undefined);
    await withinTimeout(added, this.timeoutMs, 'adding the triage job');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
