import { z } from 'zod';
import type { FactSources, PriorOutcome } from '@triage/rules';

/**
 * A customer history to evaluate against without a database: dry runs and rule fixtures
 * say "this customer has 3 recent complaints and is blocklisted" instead of storing them.
 */
export const simulatedHistorySchema = z
  .object({
    repeatCount: z.number().int().min(0).max(50).optional(),
    openComplaints: z.number().int().min(0).optional(),
    blocklisted: z.boolean().optional(),
    /** Earlier resolved complaints, newest first: "a final answer on billing 10 days ago". */
    outcomes: z
      .array(
        z
          .object({
            category: z.string().min(1),
            code: z.string().min(1),
            finalAnswer: z.boolean().default(false),
            daysAgo: z.number().min(0),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    /**
     * The customer's earlier triaged complaints, for the blocklist stage's window facts
     * (rules/blocklist.json): `count` complaints received `hoursAgo` before this one, with their
     * decision's tags and flags and whether they named a product.
     */
    triaged: z
      .array(
        z
          .object({
            hoursAgo: z.number().min(0).max(744),
            count: z.number().int().min(1).max(500).default(1),
            tags: z.array(z.string().min(1)).max(50).default([]),
            flags: z.array(z.string().min(1)).max(50).default([]),
            product: z.boolean().default(true),
          })
          .strict(),
      )
      .max(100)
      .optional(),
  })
  .strict();
export type SimulatedHistory = z.output<typeof simulatedHistorySchema>;

/**
 * Fact sources answering from a simulated history. `repeatCount` is the same whatever
 * `days` a rule asks for; the earlier complaints get ids `earlier-complaint-1`, …; outcomes
 * are dated `daysAgo` before `receivedAt` (the complaint's receipt) and get ids
 * `resolved-complaint-1`, ….
 */
export function simulatedFactSources(
  history: SimulatedHistory = {},
  receivedAt: Date = new Date(),
): FactSources {
  const earlier = Array.from({ length: history.repeatCount ?? 0 }, (_, i) => `earlier-complaint-${i + 1}`);
  const outcomes: PriorOutcome[] = (history.outcomes ?? []).map((outcome, i) => ({
    complaintId: `resolved-complaint-${i + 1}`,
    category: outcome.category,
    code: outcome.code,
    finalAnswer: outcome.finalAnswer,
    at: new Date(receivedAt.getTime() - outcome.daysAgo * 86_400_000),
  }));
  return {
    recentComplaintIds: async () => earlier,
    openComplaints: async () => history.openComplaints ?? 0,
    isBlocklisted: async () => history.blocklisted ?? false,
    priorOutcomes: async () => outcomes,
  };
}

/**
 * Remembers every answer of `sources`, so two evaluations of one complaint (current and
 * candidate rules in a replay) see the same history and cost one set of lookups.
 */
export function memoizedFactSources(sources: FactSources): FactSources {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let value = memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      memo.set(key, value);
    }
    return value;
  };
  return {
    recentComplaintIds: (customerId, days, excludeId) =>
      once(`recent:${customerId}:${days}:${excludeId}`, () =>
        sources.recentComplaintIds(customerId, days, excludeId),
      ),
    openComplaints: (customerId, excludeId) =>
      once(`open:${customerId}:${excludeId}`, () => sources.openComplaints(customerId, excludeId)),
    isBlocklisted: (customerId, at) =>
      once(`blocklisted:${customerId}:${at.getTime()}`, () => sources.isBlocklisted(customerId, at)),
    priorOutcomes: (customerId, excludeId) =>
      once(`outcomes:${customerId}:${excludeId}`, async () =>
        sources.priorOutcomes ? sources.priorOutcomes(customerId, excludeId) : [],
      ),
  };
}
