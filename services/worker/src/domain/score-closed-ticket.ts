import { evaluateQa, type FactSources, type Ruleset } from '@triage/rules';
import type { ComplaintQa } from '@triage/shared/complaint';
import { explainTrace } from './explain-trace';
import type { QaStore } from './ports';
import { qaFactsOfRecord } from './qa-facts-of-record';

export type QaOutcome = 'scored' | 'already-scored' | 'not-closed' | 'missing';

/**
 * Auto-QA of one closed ticket: load it, compute the facts of its handling, evaluate
 * rules/qa.json, score it on its card and store the result with one guarded update. Idempotent:
 * a close already scored (a retried or replayed job) is left as it is.
 */
export async function scoreClosedTicket(
  job: { complaintId: string; closeNumber: number; requestId?: string | undefined },
  ruleset: Ruleset,
  store: QaStore,
  /** Customer history as it stood when the complaint arrived (repeatCount). */
  sourcesAsOf: (at: Date) => FactSources,
  now: Date = new Date(),
): Promise<{ outcome: QaOutcome; qa?: ComplaintQa }> {
  const complaint = await store.load(job.complaintId);
  if (!complaint) return { outcome: 'missing' };
  if (complaint.status !== 'closed') return { outcome: 'not-closed' };
  if (complaint.qa?.closeNumber === job.closeNumber) return { outcome: 'already-scored', qa: complaint.qa };
  const ticket = qaFactsOfRecord(complaint);
  const evaluation = await evaluateQa(ruleset, ticket, sourcesAsOf(ticket.receivedAt), now);
  const qa: ComplaintQa = {
    closeNumber: job.closeNumber,
    scorecard: evaluation.scorecard,
    auto: evaluation.criteria,
    notScored: evaluation.notScored,
    pendingManual: evaluation.pendingManual,
    complete: evaluation.complete,
    reviewCount: 0,
    tags: evaluation.tags,
    points: evaluation.points,
    maxPoints: evaluation.maxPoints,
    score: evaluation.score,
    autoScore: evaluation.score,
    fatal: evaluation.fatal,
    fatalCriteria: evaluation.fatalCriteria,
    firedRules: evaluation.firedRules,
    rulesetVersion: evaluation.rulesetVersion,
    evaluatedAt: now,
    trace: explainTrace(evaluation.trace),
  };
  const saved = await store.saveQa(job.complaintId, qa, job.requestId);
  return saved ? { outcome: 'scored', qa } : { outcome: 'already-scored' };
}
