import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** The router's complaint-rate job queue (internal to the router, like `sla` and `notify`). */
export const rateMonitorQueueName = 'complaint-rates';
/** One job scheduler for the whole fleet: every router upserts the same id, the count runs once. */
export const rateMonitorSchedulerId = 'complaint-rates-count';

export const rateMonitorJobSchema = z.object({
  /** Count the hour this falls in (and the one before); default: when the job runs. */
  at: z.iso.datetime().optional(),
});
export type RateMonitorJob = z.output<typeof rateMonitorJobSchema>;

const jobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
} as const;

/** The producer side: the periodic count, and a count on demand (tests, an operator recounting an hour). */
export class RateMonitorQueue {
  readonly queue: Queue<RateMonitorJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<RateMonitorJob>(rateMonitorQueueName, { connection, prefix });
  }

  /**
   * Runs the count every `everyMs`. 0 leaves the schedule as it is: one router configured
   * without it must not take it away from the others.
   */
  async schedule(everyMs: number): Promise<void> {
    if (everyMs <= 0) return;
    await this.queue.upsertJobScheduler(
      rateMonitorSchedulerId,
      { every: everyMs },
      { name: 'count', data: {}, opts: jobOptions },
    );
  }

  /** Queues one count now; resolves with the job (its id is unique: a recount is a new job). */
  async countNow(at?: Date) {
    return this.queue.add('count', at ? { at: at.toISOString() } : {}, {
      ...jobOptions,
      jobId: `count-${randomUUID()}`,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
