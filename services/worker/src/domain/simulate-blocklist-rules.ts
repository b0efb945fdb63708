import {
  evaluateBlocklistStage,
  listingOf,
  type BlocklistPeriod,
  type ComplaintFacts,
  type FiredRule,
  type RuleTrace,
  type Ruleset,
  type TriageDecision,
  type TriagedHistoryEntry,
} from '@triage/rules';
import type { SimulatedHistory } from './fact-sources';

/** What the blocklist stage would do for one complaint and a simulated customer history. */
export interface SimulatedBlocklisting {
  fired: FiredRule[];
  trace: RuleTrace[];
  /** The listing the first fired rule would make; null when none fired or the customer is already listed. */
  listing: {
    rule: string;
    owner: string;
    period: BlocklistPeriod;
    reviewer: string;
    reason: string;
    until: Date;
    confirmBy: Date;
  } | null;
}

/** The simulated history's triaged complaints, then this one, as the worker records them. */
export function simulatedTriagedHistory(
  history: SimulatedHistory | undefined,
  complaint: ComplaintFacts,
  decision: Pick<TriageDecision, 'tags' | 'flags'>,
): TriagedHistoryEntry[] {
  const receivedAt = complaint.receivedAt.getTime();
  const earlier = (history?.triaged ?? []).flatMap((group, groupIndex) =>
    Array.from({ length: group.count }, (_, i) => ({
      id: `earlier-triaged-${groupIndex + 1}-${i + 1}`,
      at: new Date(receivedAt - group.hoursAgo * 3_600_000),
      tags: group.tags,
      flags: group.flags,
      product: group.product,
    })),
  );
  return [
    ...earlier,
    {
      id: complaint.id,
      at: complaint.receivedAt,
      tags: [...decision.tags],
      flags: [...decision.flags],
      product: Boolean(complaint.product),
    },
  ];
}

/**
 * Runs rules/blocklist.json over a decided complaint and a simulated history, without storing
 * anything: the dry run and the rule fixtures (rules/tests/) use it. `now` is the complaint's
 * receipt, so deadlines are exact.
 */
export async function simulateBlocklistRules(
  ruleset: Ruleset,
  complaint: ComplaintFacts,
  decision: Pick<TriageDecision, 'category' | 'severity' | 'queue' | 'tags' | 'flags'>,
  history: SimulatedHistory | undefined,
): Promise<SimulatedBlocklisting> {
  const now = complaint.receivedAt;
  const outcome = await evaluateBlocklistStage(
    ruleset.blocklist,
    { complaint, decision, history: simulatedTriagedHistory(history, complaint, decision) },
    now,
  );
  const listing = history?.blocklisted ? undefined : listingOf(outcome, now);
  return { fired: outcome.fired, trace: outcome.trace, listing: listing ?? null };
}
