import type { ComplaintStore, TriageQueue } from './ports';
import { randomUUID } from 'node:crypto';
import { ValidationError } from '@triage/shared/kernel';
import {
  complaintEvent,
  type ComplaintInput,
  type ComplaintRecord,
  type ComplaintStatus,
} from '@triage/shared/complaint';
import { nfcWithoutControlCharacters } from './nfc-without-control-characters';
import { metadataProblems } from './storable-metadata';

export interface SubmitContext {
  source: string;
  /**
   * Whose external ids and Idempotency-Keys these are (caller-scope.ts): a CRM's source, or
   * another caller's `role:subject`. Defaults to the source.
   */
  scope?: string;
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

/**
 * The one unique key of a complaint. (scope, externalId) comes first so that it is unique
 * whatever Idempotency-Key a retrying client sends; the key identifies submissions that have
 * no external id. Both carry the caller's scope, so one caller's id or key never matches
 * another's complaint. MongoDB's unique index on it makes concurrent duplicates collapse into one.
 */
export function dedupeKeyFor(
  scope: string,
  externalId: string | undefined,
  idempotencyKey: string | undefined,
  id: string,
): string {
  if (externalId) return `ext:${scope}:${externalId}`;
  if (idempotencyKey) return `key:${scope}:${idempotencyKey}`;
  return `id:${id}`;
}

/** Builds the stored form of a new complaint: normalised text, original kept when it differs. */
export function buildComplaintRecord(input: ComplaintInput, context: SubmitContext): ComplaintRecord {
  const now = context.now ?? new Date();
  const id = randomUUID();
  const source = input.source ?? context.source;
  const body = nfcWithoutControlCharacters(input.body);
  const subject = input.subject === undefined ? undefined : nfcWithoutControlCharacters(input.subject);
  const changed = body !== input.body || subject !== input.subject;
  const { occurredAt, ...rest } = input;
  return {
    ...rest,
    _id: id,
    source,
    dedupeKey: dedupeKeyFor(context.scope ?? source, input.externalId, context.idempotencyKey, id),
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
 * Told when a stored complaint could not be enqueued (`enqueue`: Redis is away, the sweeper will
 * do it) or its status not advanced (`mark-enqueued`: MongoDB went away after the insert).
 */
export type DeferredHandler = (
  error: unknown,
  complaintId: string,
  stage: 'enqueue' | 'mark-enqueued',
) => void;

/**
 * Accepting a complaint: it is durable in MongoDB before we answer. Enqueueing is best
 * effort — if Redis is away the complaint waits in `received` for the sweeper.
 */
export async function submitComplaint(
  input: ComplaintInput,
  context: SubmitContext,
  store: ComplaintStore,
  queue: TriageQueue,
  onDeferred: DeferredHandler,
): Promise<SubmitOutcome> {
  const problems = metadataProblems(input.metadata);
  if (problems.length > 0) {
    throw new ValidationError(
      `The metadata cannot be stored: ${problems.map((problem) => problem.path).join(', ')}`,
      problems,
    );
  }
  const record = buildComplaintRecord(input, context);
  const stored = await store.insertOnce(record);
  if (!stored.created) return { id: stored.id, status: stored.status, created: false, enqueued: true };
  try {
    await queue.enqueue(stored.id, context.requestId);
  } catch (error) {
    onDeferred(error, stored.id, 'enqueue');
    return { id: stored.id, status: 'received', created: true, enqueued: false };
  }
  try {
    await store.markEnqueued(stored.id, context.requestId, 'intake');
  } catch (error) {
    // Stored and queued: the answer is still 202. Only the status lags; the worker accepts
    // `received` too, and a re-enqueue by the sweeper is a no-op (deterministic job id).
    onDeferred(error, stored.id, 'mark-enqueued');
    return { id: stored.id, status: 'received', created: true, enqueued: true };
  }
  return { id: stored.id, status: 'enqueued', created: true, enqueued: true };
}
