import { complaintEvent } from '@triage/shared/complaint';
import { ConflictError, ForbiddenError, NotFoundError } from '@triage/shared/kernel';
import type { BlocklistEntry } from './blocklist';
import type { ComplaintEventLog, RuleListingStore } from './ports';
import { listingEvents } from './rule-listing';

/** Who confirms: their `role:subject` label and whether they are an admin (admins may confirm any listing). */
export interface Confirmer {
  label: string;
  isAdmin: boolean;
}

/**
 * The named reviewer (or an admin) confirms a rule listing before its deadline: the customer
 * stays listed until the listing's `until`. Anyone else — another supervisor, an agent, a CRM —
 * is refused; a listing that is not pending (confirmed, lapsed, an admin's entry) or is past its
 * deadline cannot be confirmed.
 */
export async function confirmListing(
  store: RuleListingStore,
  events: ComplaintEventLog,
  request: { customerId: string; reason: string },
  confirmer: Confirmer,
  now: Date,
): Promise<BlocklistEntry> {
  const entry = await store.find(request.customerId);
  if (!entry) throw new NotFoundError(`Customer ${request.customerId} has never been on the blocklist.`);
  if (!entry.listingId || !entry.reviewer) {
    throw new ConflictError(
      `Customer ${request.customerId}'s entry was made by an admin; there is nothing to confirm.`,
    );
  }
  if (!confirmer.isAdmin && confirmer.label !== entry.reviewer) {
    throw new ForbiddenError(
      `Only ${entry.reviewer} (the listing's reviewer) or an admin may confirm this listing.`,
    );
  }
  if (entry.status !== 'pending-confirmation') {
    throw new ConflictError(
      `The listing of customer ${request.customerId} is ${entry.status ?? 'active'}, not awaiting confirmation.`,
    );
  }
  if (entry.confirmBy && entry.confirmBy.getTime() <= now.getTime()) {
    throw new ConflictError(
      `The listing of customer ${request.customerId} lapsed at ${entry.confirmBy.toISOString()}.`,
    );
  }
  const confirmed = await store.confirm({
    customerId: request.customerId,
    listingId: entry.listingId,
    by: confirmer.label,
    at: now,
    reason: request.reason,
  });
  if (!confirmed) {
    throw new ConflictError(
      `The listing of customer ${request.customerId} changed meanwhile; read it again.`,
    );
  }
  await events.appendOnce(
    entry.listingId,
    complaintEvent(listingEvents.confirmed, {
      actor: confirmer.label,
      data: {
        customerId: request.customerId,
        listingId: entry.listingId,
        owner: entry.owner ?? null,
        reviewer: entry.reviewer,
        until: confirmed.until,
        reason: request.reason,
      },
    }),
  );
  return confirmed;
}
