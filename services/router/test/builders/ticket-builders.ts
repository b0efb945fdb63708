import type { ComplaintRecord, ComplaintStatus, TicketState } from '@triage/shared';
import { startSla } from '../../src/domain/sla-clock';

export const RECEIVED_AT = new Date('2026-03-02T09:00:00Z');
export const FIRST_RESPONSE_DUE = new Date('2026-03-02T11:00:00Z');
export const RESOLUTION_DUE = new Date('2026-03-03T09:00:00Z');

/** A complaint the worker triaged into `queue`, waiting to be routed. */
export function buildTriagedComplaint(
  overrides: Partial<ComplaintRecord> & { queue?: string } = {},
): ComplaintRecord {
  const { queue = 'billing', ...rest } = overrides;
  return {
    _id: 'c-1',
    source: 'crm',
    dedupeKey: `id:${rest._id ?? 'c-1'}`,
    customer: { id: 'cust-1', tier: 'gold' },
    channel: 'email',
    body: 'I was charged twice.',
    status: 'triaged',
    receivedAt: RECEIVED_AT,
    updatedAt: RECEIVED_AT,
    decision: {
      category: 'billing',
      severity: 'high',
      priority: { score: 60, components: {} },
      slaPolicy: 'standard',
      calendar: '24x7',
      firstResponseDueAt: FIRST_RESPONSE_DUE,
      resolutionDueAt: RESOLUTION_DUE,
      queue,
      skills: [],
      tags: [],
      flags: [],
      rulesetVersion: 'test',
      firedRules: [],
      decidedAt: RECEIVED_AT,
    },
    events: [],
    ...rest,
  };
}

/**
 * A routed ticket in `status`, its clock started at receipt (first response due at 11:00). A
 * held ticket is held by `ann` unless `ticket.agentId` says otherwise.
 */
export function buildTicket(
  status: ComplaintStatus,
  overrides: { _id?: string; receivedAt?: Date; updatedAt?: Date; ticket?: Partial<TicketState> } = {},
): ComplaintRecord {
  const receivedAt = overrides.receivedAt ?? RECEIVED_AT;
  const held = status === 'claimed' || status === 'in_progress' || status === 'waiting_customer';
  return buildTriagedComplaint({
    _id: overrides._id ?? 'c-1',
    status,
    receivedAt,
    updatedAt: overrides.updatedAt ?? receivedAt,
    ticket: {
      queue: 'billing',
      priorityScore: 60,
      dueAt: FIRST_RESPONSE_DUE,
      warnAt: new Date('2026-03-02T10:00:00Z'),
      agentId: held ? 'ann' : null,
      transferCount: 0,
      reopenCount: 0,
      sla: startSla(receivedAt, FIRST_RESPONSE_DUE, RESOLUTION_DUE),
      ...overrides.ticket,
    },
  });
}
