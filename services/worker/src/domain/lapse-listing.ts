import { complaintEvent } from '@triage/shared/complaint';
import type { BlocklistEntry } from './blocklist';
import type { ComplaintEventLog, RuleListingStore } from './ports';
import { deadlineActor, lapseReason, listingEvents } from './rule-listing';

export type LapseOutcome = 'lapsed' | 'not-pending' | 'not-due';

/**
 * At a listing's confirmation deadline (its delayed job): a listing still pending is removed as
 * lapsed ("not confirmed by <reviewer> in time"), on the entry's history and the triggering
 * complaint's events. A confirmed or replaced listing is left alone; a repeated job finds the
 * listing lapsed already and only makes sure the complaint's event is there.
 */
export async function lapseListing(
  store: RuleListingStore,
  events: ComplaintEventLog,
  job: { customerId: string; listingId: string },
  now: Date,
): Promise<LapseOutcome> {
  const entry = await store.find(job.customerId);
  if (!entry || entry.listingId !== job.listingId || !entry.reviewer) return 'not-pending';
  if (entry.status === 'pending-confirmation') {
    if (entry.confirmBy && entry.confirmBy.getTime() > now.getTime()) return 'not-due';
    const lapsed = await store.lapse({
      customerId: job.customerId,
      listingId: job.listingId,
      by: deadlineActor,
      at: now,
      reason: lapseReason(entry.reviewer),
    });
    if (!lapsed) return 'not-pending';
    await appendLapsed(events, lapsed, job.listingId);
    return 'lapsed';
  }
  if (entry.status === 'lapsed') {
    await appendLapsed(events, entry, job.listingId);
    return 'lapsed';
  }
  return 'not-pending';
}

async function appendLapsed(
  events: ComplaintEventLog,
  entry: BlocklistEntry,
  listingId: string,
): Promise<void> {
  await events.appendOnce(
    listingId,
    complaintEvent(listingEvents.lapsed, {
      actor: deadlineActor,
      data: {
        customerId: entry.customerId,
        listingId,
        owner: entry.owner ?? null,
        reviewer: entry.reviewer ?? null,
        confirmBy: entry.confirmBy ?? null,
        reason: entry.removalReason ?? lapseReason(entry.reviewer ?? 'the reviewer'),
      },
    }),
  );
}
