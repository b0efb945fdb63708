/**
 * What intake's use cases need from the outside world; data-access/ implements each one
 * (ComplaintRepository, BullTriageQueue, RedisDeliveryLog).
 */
import type { ComplaintRecord, ComplaintStatus } from '@triage/shared/complaint';

/** Where complaints are stored; `insertOnce` returns the existing one when the dedupe key is taken. */
export interface ComplaintStore {
  insertOnce(record: ComplaintRecord): Promise<{ created: boolean; id: string; status: ComplaintStatus }>;
  /** received → enqueued with its event; a no-op when the complaint has moved on already. */
  markEnqueued(id: string, requestId: string | undefined, actor: string): Promise<void>;
}

/** Hands a stored complaint to the triage queue. Throws when the queue cannot take it now. */
export interface TriageQueue {
  enqueue(complaintId: string, requestId: string | undefined): Promise<void>;
}

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

/** A complaint accepted while the triage queue was unreachable. */
export interface StuckComplaint {
  id: string;
  requestId?: string;
}

export interface StuckComplaintFinder {
  /** Complaints still `received` whose last change is older than `before`, oldest first. */
  findStuckInReceived(before: Date, limit: number): Promise<StuckComplaint[]>;
}
