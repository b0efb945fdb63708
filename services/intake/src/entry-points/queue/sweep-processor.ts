import type { Logger } from '@triage/shared/kernel';
import type { Job } from 'bullmq';
import type { ComplaintStore, StuckComplaintFinder, TriageQueue } from '../../domain/ports';
import { sweepStuckComplaints } from '../../domain/sweep-stuck-complaints';

export interface SweepProcessorDeps {
  store: StuckComplaintFinder & Pick<ComplaintStore, 'markEnqueued'>;
  triageQueue: TriageQueue;
  minAgeMs: number;
  batchSize: number;
  logger: Logger;
}

/** The maintenance queue's `sweep` job: one per scheduler tick, whatever the number of intakes. */
export function sweepProcessor(deps: SweepProcessorDeps) {
  return async (_job: Job): Promise<{ enqueued: number }> => {
    const { enqueued } = await sweepStuckComplaints(deps.store, deps.triageQueue, {
      now: new Date(),
      minAgeMs: deps.minAgeMs,
      batchSize: deps.batchSize,
    });
    if (enqueued.length > 0) {
      deps.logger.info(
        { count: enqueued.length, complaintIds: enqueued.slice(0, 20) },
        'sweeper enqueued complaints stuck in received',
      );
    }
    return { enqueued: enqueued.length };
  };
}
