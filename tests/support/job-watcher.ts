import type { Job, Worker } from 'bullmq';

/**
 * Collects the complaint ids a BullMQ worker finishes, from the moment it is created,
 * so a test can await "this complaint was routed" without sleeping or polling.
 */
export function watchCompletedJobs(worker: Worker<{ complaintId: string }>) {
  const done = new Map<string, unknown>();
  const waiters = new Map<string, Array<(value: unknown) => void>>();
  const onCompleted = (job: Job<{ complaintId: string }>, result: unknown) => {
    done.set(job.data.complaintId, result);
    for (const resolve of waiters.get(job.data.complaintId) ?? []) resolve(result);
    waiters.delete(job.data.complaintId);
  };
  worker.on('completed', onCompleted);
  return {
    waitFor(complaintId: string, timeoutMs = 15_000): Promise<unknown> {
      if (done.has(complaintId)) return Promise.resolve(done.get(complaintId));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`job for complaint ${complaintId} did not complete within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const list = waiters.get(complaintId) ?? [];
        list.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
        waiters.set(complaintId, list);
      });
    },
    stop(): void {
      worker.off('completed', onCompleted);
    },
  };
}
