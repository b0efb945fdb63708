import type { BlocklistStore } from './ports';
import { NotFoundError, ValidationError } from '@triage/shared/kernel';

/**
 * The blocklist: customers whose complaints are flagged and sent to abuse review. Being
 * on it never drops a complaint; it only changes where it is reviewed. Every change says
 * who made it and why, and nothing is ever deleted: removing a customer marks the entry
 * removed and the history keeps every block and unblock.
 */

export interface BlocklistHistoryEvent {
  /** blocked / unblocked: an admin; auto-listed, confirmed, lapsed: a blocklist rule's listing (rule-listing.ts). */
  action: 'blocked' | 'unblocked' | 'auto-listed' | 'confirmed' | 'lapsed';
  at: Date;
  by: string;
  until?: Date;
  reason?: string;
  /** Rule listings: who must confirm, by when, and the complaint that triggered it. */
  reviewer?: string;
  confirmBy?: Date;
  complaintId?: string;
}

/**
 * Where an entry stands: `active` (an admin's entry), `pending-confirmation` (a rule listed the
 * customer; in force until `confirmBy` unless its reviewer confirms), `confirmed` (in force until
 * `until`), `lapsed` (not confirmed in time; removed). Entries written before rule listings have none.
 */
export type BlocklistStatus = 'active' | 'pending-confirmation' | 'confirmed' | 'lapsed';

export interface BlocklistEntry {
  customerId: string;
  until: Date;
  reason: string;
  addedBy: string;
  addedAt: Date;
  removedAt: Date | null;
  removedBy: string | null;
  removalReason: string | null;
  history: BlocklistHistoryEvent[];
  /** Absent on entries written before rule listings (read as `active`). */
  status?: BlocklistStatus;
  /** A rule listing's owner (`rule:<name>`), its reviewer and confirmation deadline; null for an admin's entry. */
  owner?: string | null;
  reviewer?: string | null;
  confirmBy?: Date | null;
  /** A rule listing's id: the id of the complaint whose triage listed the customer. */
  listingId?: string | null;
  confirmedBy?: string | null;
  confirmedAt?: Date | null;
}

export const blocklistLimits = { maxDaysAhead: 365, maxReasonLength: 500 } as const;

const DAY_MS = 86_400_000;

/**
 * Whether an entry blocks its customer at `at`. A rule listing awaiting confirmation blocks
 * only until its `confirmBy`, whether or not its lapse has been processed yet.
 */
export function isInForce(
  entry: Pick<BlocklistEntry, 'until' | 'removedAt' | 'addedAt'> &
    Partial<Pick<BlocklistEntry, 'status' | 'confirmBy'>>,
  at: Date,
): boolean {
  return (
    entry.addedAt.getTime() <= at.getTime() &&
    entry.until.getTime() > at.getTime() &&
    (entry.removedAt === null || entry.removedAt.getTime() > at.getTime()) &&
    (entry.status !== 'pending-confirmation' ||
      (entry.confirmBy !== null && entry.confirmBy !== undefined && entry.confirmBy.getTime() > at.getTime()))
  );
}

/** Puts a customer on the blocklist until a date at most a year ahead, recording who and why. */
export async function blockCustomer(
  store: BlocklistStore,
  request: { customerId: string; until: Date; reason: string },
  actor: string,
  now: Date,
): Promise<{ entry: BlocklistEntry; created: boolean }> {
  if (request.until.getTime() <= now.getTime()) {
    throw new ValidationError('The blocklist entry would already have expired.', [
      { path: '/until', message: `must be in the future (now is ${now.toISOString()})` },
    ]);
  }
  const latest = new Date(now.getTime() + blocklistLimits.maxDaysAhead * DAY_MS);
  if (request.until.getTime() > latest.getTime()) {
    throw new ValidationError(`A blocklist entry lasts at most ${blocklistLimits.maxDaysAhead} days.`, [
      { path: '/until', message: `must be no later than ${latest.toISOString()}` },
    ]);
  }
  return store.block({ ...request, reason: request.reason.trim(), by: actor, at: now });
}

/** Takes a customer off the blocklist (the entry is kept, marked removed by `actor`). */
export async function unblockCustomer(
  store: BlocklistStore,
  customerId: string,
  actor: string,
  now: Date,
  reason?: string,
): Promise<BlocklistEntry> {
  const entry = await store.unblock({ customerId, by: actor, at: now, ...(reason ? { reason } : {}) });
  if (!entry) throw new NotFoundError(`Customer ${customerId} is not on the blocklist.`);
  return entry;
}
