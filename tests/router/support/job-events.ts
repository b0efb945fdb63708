import type { Job, Worker } from 'bullmq';

interface Finished<D> {
  data: D;
  result: unknown;
  finishedAt: number;
}

/**
 * Collects what a BullMQ worker completes from the moment it is created, so a test can await
 * "this timer fired" (a `completed` event) instead of sleeping or polling.
 */
export function watchJobs<D>(worker: Worker<D>) {
  const finished: Array<Finished<D>> = [];
  const waiters: Array<{ match: (item: Finished<D>) => boolean; resolve: (item: Finished<D>) => void }> = [];
  const onCompleted = (job: Job<D>, result: unknown) => {
    const item = { data: job.data, result, finishedAt: Date.now() };
    finished.push(item);
    for (const waiter of [...waiters]) {
      if (waiter.match(item)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(item);
      }
    }
  };
  worker.on('completed', onCompleted);
  return {
    finished,
    waitFor(match: (item: Finished<D>) => boolean, timeoutMs = 20_000, what = 'job'): Promise<Finished<D>> {
      const done = finished.find(match);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${what} did not complete within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (item) => {
            clearTimeout(timer);
            resolve(item);
          },
        });
      });
    },
    stop(): void {
      worker.off('completed', onCompleted);
    },
  };
}
