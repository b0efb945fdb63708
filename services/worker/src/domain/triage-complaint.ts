import {
  evaluateComplaint,
  type ComplaintRecord,
  type Evaluation,
  type FactSources,
  type Ruleset,
} from '@triage/shared';

/** What the triage use case needs from storage and the next queue. */
export interface TriageStore {
  load(id: string): Promise<ComplaintRecord | null>;
  /** Stores the decision if the complaint is still waiting for one; false when someone else already did. */
  saveDecision(id: string, evaluation: Evaluation, requestId: string | undefined): Promise<boolean>;
}

export interface RouteQueue {
  enqueue(complaintId: string, requestId: string | undefined): Promise<void>;
}

export type TriageOutcome = 'triaged' | 'already-triaged' | 'missing';

const AWAITING_TRIAGE = new Set(['received', 'enqueued']);

/** The plain facts the rules see, from a stored complaint. */
export function factsOf(complaint: ComplaintRecord): Parameters<typeof evaluateComplaint>[1] {
  return {
    id: complaint._id,
    source: complaint.source,
    channel: complaint.channel,
    body: complaint.body,
    customer: complaint.customer,
    receivedAt: complaint.receivedAt,
    ...(complaint.subject !== undefined ? { subject: complaint.subject } : {}),
    ...(complaint.product !== undefined ? { product: complaint.product } : {}),
    ...(complaint.language !== undefined ? { language: complaint.language } : {}),
    ...(complaint.metadata !== undefined ? { metadata: complaint.metadata } : {}),
    ...(complaint.occurredAt !== undefined ? { occurredAt: complaint.occurredAt } : {}),
  };
}

/**
 * Triage one complaint, idempotently: a complaint already decided is not evaluated again,
 * but its route job is (re-)requested, so a retry after a failed hand-off completes it.
 */
export async function triageComplaint(
  complaintId: string,
  requestId: string | undefined,
  ruleset: Ruleset,
  store: TriageStore,
  sources: FactSources,
  routeQueue: RouteQueue,
): Promise<TriageOutcome> {
  const complaint = await store.load(complaintId);
  if (!complaint) return 'missing';
  let outcome: TriageOutcome = 'already-triaged';
  if (AWAITING_TRIAGE.has(complaint.status)) {
    const evaluation = await evaluateComplaint(ruleset, factsOf(complaint), sources);
    outcome = (await store.saveDecision(complaintId, evaluation, requestId)) ? 'triaged' : 'already-triaged';
  }
  await routeQueue.enqueue(complaintId, requestId);
  return outcome;
}
