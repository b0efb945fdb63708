/**
 * Rule listings: what the blocklist stage (rules/blocklist.json) does to the blocklist. One
 * catalogue of their events, used on the entry's history and on the triggering complaint.
 */
export const listingEvents = {
  listed: 'blocklist.auto-listed',
  confirmed: 'blocklist.confirmed',
  lapsed: 'blocklist.lapsed',
} as const;

/** Who removes a listing nobody confirmed in time (the entry's `removedBy`, the event's actor). */
export const deadlineActor = 'worker:confirmation-deadline';

/** Why a listing lapsed, as its entry and events say. */
export function lapseReason(reviewer: string): string {
  return `not confirmed by ${reviewer} in time`;
}
