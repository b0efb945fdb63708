import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Intake's own housekeeping queue (not a contract with other services). */
export const maintenanceQueueName = 'intake-maintenance';
export const sweepSchedulerId = 'sweep-stuck-complaints';

/**
 * A BullMQ job scheduler emits one `sweep` job per interval for the whole fleet: with N intake
 * processes upserting the same scheduler id there is still one scheduler, so one sweep per tick.
 */
export class MaintenanceQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(maintenanceQueueName, { connection, prefix });
  }

  /** Idempotent; called on every (re)connection, since a Redis without persistence forgets schedulers. */
  async scheduleSweeps(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      sweepSchedulerId,
      { every: everyMs },
      {
        name: 'sweep',
        data: {},
        opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
      },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
