import type { ComplaintStore, StuckComplaintFinder, TriageQueue } from './ports';

export interface SweepOptions {
  now: Date;
  /** Younger complaints may still be on their way into the queue from their own request. */
  minAgeMs: number;
  batchSize: number;
}

/**
 * Enqueues complaints stuck in `received` (accepted while Redis was down). The job id is
 * deterministic, so a complaint that did reach the queue is not added twice, and the status
 * change is guarded by `received`, so nothing is triaged twice. A queue failure stops the sweep
 * (Redis is still away); the next tick tries again.
 */
export async function sweepStuckComplaints(
  store: StuckComplaintFinder & Pick<ComplaintStore, 'markEnqueued'>,
  queue: TriageQueue,
  options: SweepOptions,
): Promise<{ enqueued: string[] }> {
  const before = new Date(options.now.getTime() - options.minAgeMs);
  const stuck = await store.findStuckInReceived(before, options.batchSize);
  const enqueued: string[] = [];
  for (const complaint of stuck) {
    await queue.enqueue(complaint.id, complaint.requestId);
    await store.markEnqueued(complaint.id, complaint.requestId, 'sweeper');
    enqueued.push(complaint.id);
  }
  return { enqueued };
}
