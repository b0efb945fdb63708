import { evaluateComplaint, type FactSources, type Ruleset } from '@triage/rules';
import type { RouteQueue, TriageStore } from './ports';
import { factsOfRecord } from './complaint-facts';
import { explainTrace } from './explain-trace';
import { applyBlocklistRules, type BlocklistRulesDeps } from './apply-blocklist-rules';

export type TriageOutcome = 'triaged' | 'already-triaged' | 'missing';

const AWAITING_TRIAGE = new Set(['received', 'enqueued']);

/**
 * Triage one complaint, idempotently: a complaint already decided is not evaluated again,
 * but its route job is (re-)requested, so a retry after a failed hand-off completes it.
 * Blocklisted and abusive customers are triaged like everyone else (the rules flag them
 * and send them to review); nothing is ever dropped here.
 */
export async function triageComplaint(
  complaintId: string,
  requestId: string | undefined,
  ruleset: Ruleset,
  store: TriageStore,
  /**
   * Customer history as it stood when the complaint arrived: a late triage (backlog, retry,
   * sweeper) decides exactly as a prompt one would, and a replay agrees with it.
   */
  sourcesAsOf: (at: Date) => FactSources,
  routeQueue: RouteQueue,
  /** Told how long each evaluation took, in seconds (for metrics). */
  observeEvaluation?: (seconds: number) => void,
  /**
   * Runs rules/blocklist.json after the decision (apply-blocklist-rules.ts); also on a retry that
   * finds the complaint decided, so a crash between the two never loses a listing.
   */
  blocklisting?: BlocklistRulesDeps,
): Promise<TriageOutcome> {
  const complaint = await store.load(complaintId);
  if (!complaint) return 'missing';
  let outcome: TriageOutcome = 'already-triaged';
  let decision = complaint.decision;
  if (AWAITING_TRIAGE.has(complaint.status)) {
    const started = performance.now();
    const evaluation = await evaluateComplaint(
      ruleset,
      factsOfRecord(complaint),
      sourcesAsOf(complaint.receivedAt),
    );
    observeEvaluation?.((performance.now() - started) / 1000);
    const explained = { ...evaluation, trace: explainTrace(evaluation.trace) };
    outcome = (await store.saveDecision(complaintId, explained, requestId)) ? 'triaged' : 'already-triaged';
    decision = evaluation.decision;
  }
  if (blocklisting && decision) {
    await applyBlocklistRules(ruleset, factsOfRecord(complaint), decision, requestId, blocklisting);
  }
  await routeQueue.enqueue(complaintId, requestId);
  return outcome;
}
