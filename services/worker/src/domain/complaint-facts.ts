import type { ComplaintFacts } from '@triage/rules';
import type { ComplaintInput, ComplaintRecord } from '@triage/shared/complaint';

/** The plain facts the rules see, from a stored complaint. */
export function factsOfRecord(complaint: ComplaintRecord): ComplaintFacts {
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

/** The facts of a complaint that was never stored (dry runs, rule fixtures). */
export function factsOfInput(
  complaint: ComplaintInput,
  context: { id: string; receivedAt: Date; defaultSource: string },
): ComplaintFacts {
  return {
    id: context.id,
    source: complaint.source ?? context.defaultSource,
    channel: complaint.channel,
    body: complaint.body,
    customer: complaint.customer,
    receivedAt: context.receivedAt,
    ...(complaint.subject !== undefined ? { subject: complaint.subject } : {}),
    ...(complaint.product !== undefined ? { product: complaint.product } : {}),
    ...(complaint.language !== undefined ? { language: complaint.language } : {}),
    ...(complaint.metadata !== undefined ? { metadata: complaint.metadata } : {}),
    ...(complaint.occurredAt !== undefined ? { occurredAt: new Date(complaint.occurredAt) } : {}),
  };
}
