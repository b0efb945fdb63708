import type { TriagedHistoryEntry } from '@triage/rules';
import type { ComplaintEvent } from '@triage/shared/complaint';
import { isInForce, type BlocklistEntry } from '../../src/domain/blocklist';
import type {
  ComplaintEventLog,
  ListingDeadlines,
  RuleListingRequest,
  RuleListingStore,
  TriagedHistoryStore,
} from '../../src/domain/ports';

/**
 * In-memory fakes of the rule-listing ports, with the repository's guards (BlocklistRepository,
 * TriageRepository, BullListingDeadlines): enough to unit-test the use cases. The integration
 * test (tests/worker/auto-blocklist.test.ts) runs the real ones.
 */
export function fakeRuleListings() {
  const entries = new Map<string, BlocklistEntry>();
  const histories = new Map<string, TriagedHistoryEntry[]>();
  const events = new Map<string, ComplaintEvent[]>();
  const deadlines = new Map<string, Date>();

  const listings: RuleListingStore = {
    async find(customerId) {
      return entries.get(customerId) ?? null;
    },
    async autoList(request: RuleListingRequest) {
      const existing = entries.get(request.customerId);
      if (existing && (isInForce(existing, request.at) || existing.listingId === request.listingId)) {
        return existing.listingId === request.listingId
          ? { outcome: 'ours' as const, entry: existing }
          : { outcome: 'already-listed' as const, entry: existing };
      }
      const entry: BlocklistEntry = {
        customerId: request.customerId,
        until: request.until,
        reason: request.reason,
        addedBy: request.owner,
        addedAt: request.at,
        removedAt: null,
        removedBy: null,
        removalReason: null,
        status: 'pending-confirmation',
        owner: request.owner,
        reviewer: request.reviewer,
        confirmBy: request.confirmBy,
        listingId: request.listingId,
        confirmedBy: null,
        confirmedAt: null,
        history: [
          ...(existing?.history ?? []),
          {
            action: 'auto-listed',
            at: request.at,
            by: request.owner,
            until: request.until,
            reason: request.reason,
            reviewer: request.reviewer,
            confirmBy: request.confirmBy,
            complaintId: request.listingId,
          },
        ],
      };
      entries.set(request.customerId, entry);
      return { outcome: 'listed' as const, entry };
    },
    async confirm({ customerId, listingId, by, at, reason }) {
      const entry = entries.get(customerId);
      if (
        !entry ||
        entry.listingId !== listingId ||
        entry.status !== 'pending-confirmation' ||
        !entry.confirmBy ||
        entry.confirmBy.getTime() <= at.getTime() ||
        entry.removedAt
      )
        return null;
      const confirmed: BlocklistEntry = {
        ...entry,
        status: 'confirmed',
        confirmedBy: by,
        confirmedAt: at,
        history: [...entry.history, { action: 'confirmed', at, by, reason }],
      };
      entries.set(customerId, confirmed);
      return confirmed;
    },
    async lapse({ customerId, listingId, by, at, reason }) {
      const entry = entries.get(customerId);
      if (
        !entry ||
        entry.listingId !== listingId ||
        entry.status !== 'pending-confirmation' ||
        entry.removedAt
      )
        return null;
      const lapsed: BlocklistEntry = {
        ...entry,
        status: 'lapsed',
        removedAt: at,
        removedBy: by,
        removalReason: reason,
        history: [...entry.history, { action: 'lapsed', at, by, reason }],
      };
      entries.set(customerId, lapsed);
      return lapsed;
    },
  };
  const history: TriagedHistoryStore = {
    async recordTriaged(customerId, entry) {
      const list = [...(histories.get(customerId) ?? []), entry];
      histories.set(customerId, list);
      return list;
    },
  };
  const complaintEvents: ComplaintEventLog = {
    async appendOnce(complaintId, event) {
      const list = events.get(complaintId) ?? [];
      if (!list.some((existing) => existing.type === event.type)) list.push(event);
      events.set(complaintId, list);
    },
  };
  const deadlineJobs: ListingDeadlines = {
    async schedule(customerId, listingId, at) {
      const id = `blocklist-lapse-${customerId}-${listingId}`;
      if (!deadlines.has(id)) deadlines.set(id, at);
    },
  };
  return {
    entries,
    histories,
    events,
    deadlines,
    deps: { history, listings, deadlines: deadlineJobs, events: complaintEvents },
  };
}
