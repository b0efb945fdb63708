import { ServiceUnavailableError, ValidationError } from '@triage/shared/kernel';
import {
  describeOrigin,
  mapSourcePayload,
  type SourceFieldError,
  type SourceMapping,
} from '@triage/shared/sources';
import { submitComplaint, type DeferredHandler, type SubmitOutcome } from './submit-complaint';
import type { ComplaintStore, DeliverySighting, TriageQueue } from './ports';

export interface WebhookDeliveryContext {
  source: string;
  requestId?: string;
  /** The Idempotency-Key header of this request (not covered by the signature). */
  idempotencyKey?: string;
  sighting: DeliverySighting;
}

/**
 * A signed delivery from a CRM: its payload becomes a complaint through the source's mapping,
 * then it is submitted like any other. CRMs retry, so a delivery must identify itself: by the
 * external id its mapping finds, or by an Idempotency-Key header.
 *
 * The header is not signed, so the first key a delivery is sent with is bound to its signed
 * bytes: a replay is submitted under that key whatever it sends now, so the unique index answers
 * it with the first complaint and nothing new is created.
 * When the replay cache cannot be asked, a delivery with no external id is refused (503):
 * without the cache, a replay with a fresh header would be a new complaint.
 */
export async function acceptWebhookDelivery(
  mapping: SourceMapping,
  payload: unknown,
  context: WebhookDeliveryContext,
  store: ComplaintStore,
  queue: TriageQueue,
  onDeferred: DeferredHandler,
): Promise<SubmitOutcome> {
  const mapped = mapSourcePayload(mapping, payload);
  if (!mapped.ok) {
    throw new ValidationError(
      `The ${context.source} payload does not map to a valid complaint: ${mapped.errors
        .map((error) => `${error.path} (from ${error.sourcePath})`)
        .join(', ')}`,
      mapped.errors,
    );
  }
  const { sighting } = context;
  const idempotencyKey = sighting.kind === 'unknown' ? context.idempotencyKey : sighting.idempotencyKey;
  if (!mapped.complaint.externalId && !idempotencyKey) {
    const missingId: SourceFieldError = {
      path: '/externalId',
      message: 'no value in the payload (required for webhook deliveries unless Idempotency-Key is sent)',
      sourcePath: describeOrigin(mapping.fields.externalId),
    };
    throw new ValidationError(
      `The ${context.source} payload has no external id, so a retried delivery could not be recognised.`,
      [missingId],
    );
  }
  if (!mapped.complaint.externalId && sighting.kind === 'unknown') {
    throw new ServiceUnavailableError(
      'Deliveries without an external id cannot be checked for replays right now; retry later.',
      5,
      { cause: sighting.error },
    );
  }
  return submitComplaint(
    { ...mapped.complaint, source: context.source },
    {
      source: context.source,
      actor: `webhook:${context.source}`,
      ...(context.requestId ? { requestId: context.requestId } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    },
    store,
    queue,
    onDeferred,
  );
}
