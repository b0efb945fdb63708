import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ListingDeadlines } from '../domain/ports';

/** The worker's own queue of confirmation deadlines (rule listings, rules/blocklist.json). */
export const listingDeadlineQueueName = 'blocklist-lapse';

export const listingDeadlineJobSchema = z.object({
  customerId: z.string().min(1),
  listingId: z.string().min(1),
});
export type ListingDeadlineJob = z.output<typeof listingDeadlineJobSchema>;

/**
 * `blocklist-lapse-<customer>-<listing>`: one job per listing, so a replayed triage (or N
 * workers) schedule it once. The customer id is URI-encoded: BullMQ job ids may not contain `:`.
 */
export function listingDeadlineJobId(customerId: string, listingId: string): string {
  return `blocklist-lapse-${encodeURIComponent(customerId)}-${encodeURIComponent(listingId)}`;
}

export class BullListingDeadlines implements ListingDeadlines {
  readonly queue: Queue<ListingDeadlineJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<ListingDeadlineJob>(listingDeadlineQueueName, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    });
  }

  async schedule(customerId: string, listingId: string, at: Date): Promise<void> {
    await this.queue.add(
      'lapse',
      { customerId, listingId },
      { jobId: listingDeadlineJobId(customerId, listingId), delay: Math.max(0, at.getTime() - Date.now()) },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
