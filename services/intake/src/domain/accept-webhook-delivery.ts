import { ServiceUnavailableError, ValidationError } from '@triage/shared/kernel';
import {
  describeOrigin,
  mapSourcePayload,
  type SourceFieldError,
  type SourceMapping,
} from '@triage/shared/sources';
import {
  submitComplaint,
  type ComplaintStore,
  type DeferredHandler,
  type SubmitOutcome,
  type TriageQueue,
} from './submit-complaint';

/**
 * What the replay cache knew of a delivery when it arrived: seen for the `first` time or a
 * `replay` of one seen before, with the Idempotency-Key bound to the delivery (the first one it
 * was sent with); `unknown` when the cache could not be asked (Redis away).
 */
export type DeliverySighting =
  { kind: 'first' | 'replay'; idempotencyKey?: string } | { kind: 'unknown'; error: unknown };

/** The replay cache: remembers each signed delivery for as long as its signature is fresh. */
export interface DeliveryLog {
  /**
   * Records a sighting of `deliveryId`; the first call answers `first`, later ones `replay`. The
   * first Idempotency-Key sent with the delivery is bound to it and returned from then on.
   */
  sight(
    source: string,
    deliveryId: string,
    idempotencyKey: string | undefined,
    ttlSeconds: number,
  ): Promise<DeliverySighting>;
}

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
