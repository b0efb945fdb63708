import { randomUUID } from 'node:crypto';
import type { ComplaintRecord, ComplaintStatus, TicketState } from '@triage/shared/complaint';
import type { CustomerTier, Severity } from '@triage/rules';
import { startSla } from '../../src/domain/sla-clock';

/*
 * Complaints as the router finds them, for the unit tests here and the integration tests under
 * tests/router (whose harness re-exports `buildTriagedComplaint`).
 */

export interface TicketSeed {
  id?: string;
  queue?: string;
  /** The decision's skills (the queue's are added by the router when it routes). */
  skills?: string[];
  score?: number;
  severity?: Severity;
  tier?: CustomerTier;
  receivedAt?: Date;
  /** First-response deadline, from receipt. */
  firstResponseMs?: number;
  resolutionMs?: number;
  /** The business calendar of the decision (rules/calendars.json); `always` by default. */
  calendar?: string;
}

/** A triaged complaint as the worker stores it, ready for the router to queue. */
export function buildTriagedComplaint(seed: TicketSeed = {}): ComplaintRecord {
  const id = seed.id ?? randomUUID();
  const receivedAt = seed.receivedAt ?? new Date();
  const firstResponseMs = seed.firstResponseMs ?? 4 * 3600_000;
  const queue = seed.queue ?? 'general';
  return {
    _id: id,
    source: 'api',
    dedupeKey: `id:${id}`,
    customer: { id: `cust-${id.slice(0, 8)}`, tier: seed.tier ?? 'standard' },
    channel: 'phone',
    subject: 'Double charge',
    body: 'I was charged twice for the same order.',
    status: 'triaged',
    receivedAt,
    updatedAt: receivedAt,
    decision: {
      category: 'billing',
      severity: seed.severity ?? 'medium',
      priority: { score: seed.score ?? 50, components: { severity: seed.score ?? 50 } },
      slaPolicy: 'test',
      calendar: seed.calendar ?? 'always',
      firstResponseDueAt: new Date(receivedAt.getTime() + firstResponseMs),
      resolutionDueAt: new Date(receivedAt.getTime() + (seed.resolutionMs ?? firstResponseMs * 4)),
      queue,
      skills: seed.skills ?? [],
      tags: [],
      flags: [],
      rulesetVersion: 'test',
      firedRules: [],
      decidedAt: receivedAt,
    },
    events: [{ type: 'triaged', at: receivedAt, actor: 'test' }],
  };
}

/* The unit tests' clock: received at 09:00, first response due at 11:00, resolution a day later. */
export const RECEIVED_AT = new Date('2026-03-02T09:00:00Z');
export const FIRST_RESPONSE_DUE = new Date('2026-03-02T11:00:00Z');
export const RESOLUTION_DUE = new Date('2026-03-03T09:00:00Z');

/** The unit tests' complaint `c-1` (or `id`): billing, score 60, high severity, a gold customer. */
export function buildUnitComplaint(seed: TicketSeed = {}): ComplaintRecord {
  return buildTriagedComplaint({
    id: 'c-1',
    queue: 'billing',
    score: 60,
    severity: 'high',
    tier: 'gold',
    receivedAt: RECEIVED_AT,
    firstResponseMs: FIRST_RESPONSE_DUE.getTime() - RECEIVED_AT.getTime(),
    resolutionMs: RESOLUTION_DUE.getTime() - RECEIVED_AT.getTime(),
    ...seed,
  });
}

/**
 * A routed ticket in `status` with no history yet, its clock started at receipt. A held ticket
 * is held by `ann` unless `ticket.agentId` says otherwise.
 */
export function buildTicket(
  status: ComplaintStatus,
  overrides: { _id?: string; updatedAt?: Date; ticket?: Partial<TicketState> } = {},
): ComplaintRecord {
  const held = status === 'claimed' || status === 'in_progress' || status === 'waiting_customer';
  return {
    ...buildUnitComplaint({ id: overrides._id ?? 'c-1' }),
    status,
    updatedAt: overrides.updatedAt ?? RECEIVED_AT,
    events: [],
    ticket: {
      queue: 'billing',
      priorityScore: 60,
      dueAt: FIRST_RESPONSE_DUE,
      warnAt: new Date('2026-03-02T10:00:00Z'),
      agentId: held ? 'ann' : null,
      transferCount: 0,
      reopenCount: 0,
      sla: startSla(RECEIVED_AT, FIRST_RESPONSE_DUE, RESOLUTION_DUE),
      ...overrides.ticket,
    },
  };
}
