import {
  describeOrigin,
  mapSourcePayload,
  ValidationError,
  type SourceFieldError,
  type SourceMapping,
} from '@triage/shared';
import {
  submitComplaint,
  type ComplaintStore,
  type DeferredHandler,
  type SubmitOutcome,
  type TriageQueue,
} from './submit-complaint';

export interface WebhookDeliveryContext {
  source: string;
  requestId?: string;
  idempotencyKey?: string;
}

/**
 * A signed delivery from a CRM: its payload becomes a complaint through the source's mapping,
 * then it is submitted like any other. CRMs retry, so a delivery must identify itself: by the
 * external id its mapping finds, or by an Idempotency-Key header.
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
  if (!mapped.complaint.externalId && !context.idempotencyKey) {
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
  return submitComplaint(
    { ...mapped.complaint, source: context.source },
    {
      source: context.source,
      actor: `webhook:${context.source}`,
      ...(context.requestId ? { requestId: context.requestId } : {}),
      ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
    },
    store,
    queue,
    onDeferred,
  );
}
