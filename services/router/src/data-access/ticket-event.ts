import { complaintEvent, type ComplaintEvent } from '@triage/shared/complaint';
import type { EventOrigin } from '../domain/ports';

/** A history event for a ticket change, stamped with who caused it. */
export function ticketEvent(
  type: string,
  origin: EventOrigin,
  data?: Record<string, unknown>,
): ComplaintEvent {
  return complaintEvent(type, {
    actor: origin.actor,
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    ...(data ? { data } : {}),
  });
}
