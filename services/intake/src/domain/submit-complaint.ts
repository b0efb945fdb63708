import { randomUUID } from 'node:crypto';
import {
  complaintEvent,
  type ComplaintInput,
  type ComplaintRecord,
  type ComplaintStatus,
} from '@triage/shared';
import { normalizeText } from './normalize-text';

/** Where complaints are stored; `insertOnce` returns the existing one when the dedupe key is taken. */
export interface ComplaintStore {
  insertOnce(record: ComplaintRecord): Promise<{ created: boolean; id: string; status: ComplaintStatus }>;
  markEnqueued(id: string, requestId: string | undefined): Promise<void>;
}

/** Hands a stored complaint to the triage queue. Throws when the queue cannot take it now. */
export interface TriageQueue {
  enqueue(complaintId: string, requestId: string | undefined): Promise<void>;
}

export interface SubmitContext {
  source: string;
  requestId?: string;
  idempotencyKey?: string;
  actor: string;
  now?: Date;
}

export interface SubmitOutcome {
  id: string;
  status: ComplaintStatus;
  created: boolean;
  /** False when the queue was unreachable; the sweeper enqueues it later. */
  enqueued: boolean;
}

export function dedupeKeyFor(
  source: string,
  externalId: string | undefined,
  idempotencyKey: string | undefined,
  id: string,
): string {
  if (idempotencyKey) return `key:${source}:${idempotencyKey}`;
  if (externalId) return `ext:${source}:${externalId}`;
  return `id:${id}`;
}

/** Builds the stored form of a new complaint: normalised text, original kept when it differs. */
export function buildComplaintRecord(input: ComplaintInput, context: SubmitContext): ComplaintRecord {
  const now = context.now ?? new Date();
  const id = randomUUID();
  const source = input.source ?? context.source;
  const body = normalizeText(input.body);
  const subject = input.subject === undefined ? undefined : normalizeText(input.subject);
  const changed = body !== input.body || subject !== input.subject;
  const { occurredAt, ...rest } = input;
  return {
    ...rest,
    _id: id,
    source,
    dedupeKey: dedupeKeyFor(source, input.externalId, context.idempotencyKey, id),
    body,
    ...(subject === undefined ? {} : { subject }),
    ...(changed
      ? { original: { body: input.body, ...(input.subject === undefined ? {} : { subject: input.subject }) } }
      : {}),
    ...(occurredAt ? { occurredAt: new Date(occurredAt) } : {}),
    status: 'received',
    receivedAt: now,
    updatedAt: now,
    ...(context.requestId ? { requestId: context.requestId } : {}),
    events: [
      complaintEvent('received', {
        actor: context.actor,
        ...(context.requestId ? { requestId: context.requestId } : {}),
        data: { source, channel: input.channel },
      }),
    ],
  };
}

/**
 * Accepting a complaint: it is durable in MongoDB before we answer. Enqueueing is best
 * effort — if Redis is away the complaint waits in `received` for the sweeper.
 */
export async function submitComplaint(
  input: ComplaintInput,
  context: SubmitContext,
  store: ComplaintStore,
  queue: TriageQueue,
  onEnqueueFailure: (error: unknown, id: string) => void,
): Promise<SubmitOutcome> {
  const record = buildComplaintRecord(input, context);
  const stored = await store.insertOnce(record);
  if (!stored.created) return { id: stored.id, status: stored.status, created: false, enqueued: true };
  try {
    await queue.enqueue(stored.id, context.requestId);
  } catch (error) {
    onEnqueueFailure(error, stored.id);
    return { id: stored.id, status: 'received', created: true, enqueued: false };
  }
  await store.markEnqueued(stored.id, context.requestId);
  return { id: stored.id, status: 'enqueued', created: true, enqueued: true };
}
