import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import { listingDeadlineJobSchema, type ListingDeadlineJob } from '../../data-access/listing-deadline-queue';
import { lapseListing } from '../../domain/lapse-listing';
import type { ComplaintEventLog, RuleListingStore } from '../../domain/ports';

export interface ListingDeadlineProcessorDeps {
  listings: RuleListingStore;
  events: ComplaintEventLog;
  logger: Logger;
  /** Told when a listing lapses (metrics). */
  onLapsed?: () => void;
}

/** Thin: validate the job, lapse the listing if nobody confirmed it; early (clock skew) → retried. */
export function listingDeadlineProcessor(deps: ListingDeadlineProcessorDeps) {
  return async (job: Job<ListingDeadlineJob>): Promise<string> => {
    const parsed = listingDeadlineJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`bad blocklist-lapse job payload: ${parsed.error.message}`);
    const outcome = await lapseListing(deps.listings, deps.events, parsed.data, new Date());
    if (outcome === 'not-due') throw new Error(`listing ${parsed.data.listingId} is not due yet; retrying`);
    if (outcome === 'lapsed') deps.onLapsed?.();
    deps.logger.info({ ...parsed.data, outcome, jobId: job.id }, 'blocklist listing deadline');
    return outcome;
  };
}
