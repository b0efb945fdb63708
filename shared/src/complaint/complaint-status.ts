/**
 * A complaint's life. Intake: received → enqueued. Worker: → triaged. Router: → queued →
 * claimed → in_progress → (waiting_customer ⇄ in_progress) → resolved → closed.
 */
export const complaintStatuses = [
  'received',
  'enqueued',
  'triaged',
  'queued',
  'claimed',
  'in_progress',
  'waiting_customer',
  'resolved',
  'closed',
] as const;
export type ComplaintStatus = (typeof complaintStatuses)[number];

/** What happened to a complaint, appended atomically with the state change it records. */
export interface ComplaintEvent {
  type: string;
  at: Date;
  actor?: string;
  requestId?: string;
  data?: Record<string, unknown>;
}

export function complaintEvent(
  type: string,
  details: { actor?: string; requestId?: string; data?: Record<string, unknown> } = {},
): ComplaintEvent {
  return { type, at: new Date(), ...details };
}
