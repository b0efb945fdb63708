import {
  evaluateBlocklistStage,
  listingOf,
  type ComplaintFacts,
  type Ruleset,
  type TriageDecision,
} from '@triage/rules';
import { complaintEvent } from '@triage/shared/complaint';
import { isInForce } from './blocklist';
import type { ComplaintEventLog, ListingDeadlines, RuleListingStore, TriagedHistoryStore } from './ports';
import { listingEvents } from './rule-listing';

export interface BlocklistRulesDeps {
  history: TriagedHistoryStore;
  listings: RuleListingStore;
  deadlines: ListingDeadlines;
  events: ComplaintEventLog;
  /** Told when a rule lists a customer (metrics, logs); not on a replay that finds its own listing. */
  onListed?: (listing: { customerId: string; complaintId: string; rule: string; reviewer: string }) => void;
}

/**
 * A complaint triaged this long after it arrived (a long backlog, an operator replaying old jobs)
 * is recorded in the history but lists nobody: a listing starts now, and evidence that old would
 * blocklist a customer for what they did long ago.
 */
export const staleEvidenceHours = 168;

export type BlocklistRulesOutcome =
  | { outcome: 'no-rule-fired' }
  | { outcome: 'stale' }
  | { outcome: 'already-listed'; rule: string }
  | { outcome: 'listed'; rule: string; replay: boolean };

/**
 * After a complaint's triage decision: record it in its customer's history (tags, flags, whether it
 * named a product), run the blocklist rules over the customer's window and, when one fires, list
 * the customer — owned by the rule, pending its reviewer's confirmation, with the confirmation
 * deadline as a delayed job. Idempotent, so a retried or replayed triage job changes nothing:
 * the history keeps each complaint once, a customer already listed is not listed again (an
 * admin's entry is never overwritten) and a replay that finds its own listing only repeats the
 * idempotent follow-ups (deadline job by id, the complaint's event once).
 */
export async function applyBlocklistRules(
  ruleset: Ruleset,
  complaint: ComplaintFacts,
  decision: Pick<TriageDecision, 'category' | 'severity' | 'queue' | 'tags' | 'flags'>,
  requestId: string | undefined,
  deps: BlocklistRulesDeps,
  now: Date = new Date(),
): Promise<BlocklistRulesOutcome> {
  // Two operations by `_id`, in parallel: record this complaint and read the customer's entry.
  const [history, entry] = await Promise.all([
    deps.history.recordTriaged(complaint.customer.id, {
      id: complaint.id,
      at: complaint.receivedAt,
      tags: [...decision.tags],
      flags: [...decision.flags],
      product: Boolean(complaint.product),
    }),
    ruleset.blocklist.rules.length === 0 ? null : deps.listings.find(complaint.customer.id),
  ]);
  if (ruleset.blocklist.rules.length === 0) return { outcome: 'no-rule-fired' };
  if (now.getTime() - complaint.receivedAt.getTime() > staleEvidenceHours * 3_600_000)
    return { outcome: 'stale' };
  const inForce = entry !== null && isInForce(entry, now);
  const ours = entry?.listingId === complaint.id;
  // The evidence of a listing that has ended (lapsed, removed, expired) does not list again.
  const countAfter = entry !== null && !inForce && !ours ? { countAfter: entry.addedAt } : {};
  const outcome = await evaluateBlocklistStage(
    ruleset.blocklist,
    { complaint, decision, history, ...countAfter },
    now,
  );
  const listing = listingOf(outcome, now);
  if (!listing) return { outcome: 'no-rule-fired' };
  // Listed already (an admin's entry, another listing), or this listing has ended: nothing to write.
  if (entry !== null && ((inForce && !ours) || (!inForce && ours))) {
    return { outcome: 'already-listed', rule: listing.rule };
  }

  const { outcome: listed, entry: stored } = await deps.listings.autoList({
    customerId: complaint.customer.id,
    listingId: complaint.id,
    owner: listing.owner,
    reviewer: listing.reviewer,
    reason: listing.reason,
    until: listing.until,
    confirmBy: listing.confirmBy,
    at: now,
  });
  if (listed === 'already-listed' || !stored) return { outcome: 'already-listed', rule: listing.rule };
  // A replay repeats these with the stored listing's values: both are idempotent.
  const confirmBy = stored.confirmBy ?? listing.confirmBy;
  await deps.deadlines.schedule(complaint.customer.id, complaint.id, confirmBy);
  await deps.events.appendOnce(
    complaint.id,
    complaintEvent(listingEvents.listed, {
      actor: stored.owner ?? listing.owner,
      ...(requestId ? { requestId } : {}),
      data: {
        customerId: complaint.customer.id,
        listingId: complaint.id,
        rule: listing.rule,
        owner: stored.owner ?? listing.owner,
        reviewer: stored.reviewer ?? listing.reviewer,
        period: listing.period,
        until: stored.until,
        confirmBy,
        reason: stored.reason,
      },
    }),
  );
  if (listed === 'listed') {
    deps.onListed?.({
      customerId: complaint.customer.id,
      complaintId: complaint.id,
      rule: listing.rule,
      reviewer: listing.reviewer,
    });
  }
  return { outcome: 'listed', rule: listing.rule, replay: listed === 'ours' };
}
