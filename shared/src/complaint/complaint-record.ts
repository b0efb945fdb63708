import type { RuleTrace, TriageDecision } from '@triage/rules';
import type { ComplaintInput } from './complaint-input';
import type { ComplaintQa } from './complaint-qa';
import type { ComplaintEvent, ComplaintStatus } from './complaint-status';

/** A span during which the SLA clock stood still (waiting for the customer, or resolved until reopened). */
export interface SlaPause {
  from: Date;
  to: Date;
  reason: 'waiting_customer' | 'resolved';
}

/**
 * The SLA clock of a ticket. The phase is `first-response` until an agent acknowledges, then
 * `resolution`. Deadlines are the decision's, shifted by the paused time. `generation` grows
 * whenever the timers are re-planned (pause, resume, transfer, phase change); a timer job of
 * an older generation is a no-op. `fired` records, per phase, when each ladder step fired.
 */
export interface TicketSla {
  phase: 'first-response' | 'resolution';
  generation: number;
  /** When the clock started (the complaint's receipt). */
  startedAt: Date;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  /** Total paused time so far; deadlines move by this much. */
  pausedMs: number;
  /** Set while the clock stands still. */
  pausedAt?: Date | null;
  pausedFor?: SlaPause['reason'] | null;
  /** Absent until the first pause (stored documents drop empty values). */
  pauses?: SlaPause[];
  /** `fired[phase][stepKey]` = when that ladder step fired; absent until the first one. */
  fired?: Record<string, Record<string, Date>>;
  /**
   * Set in the same update that starts a new generation, removed once its timers are scheduled:
   * while it stays (a crash in between), the router's sweep schedules them.
   */
  timersPending?: boolean;
}

/** What an agent (or supervisor) wrote on a ticket: internal, or meant for the customer. */
export interface TicketNote {
  id: string;
  text: string;
  visibility: 'internal' | 'customer';
  /** Who wrote it: `agent:<id>`, `supervisor:<name>`, `admin:<name>`. */
  author: string;
  at: Date;
}

/**
 * An agent's promise to the customer ("I will call you back by Friday"): a timer like the SLA's.
 * `pending` until done (`kept` when done by `dueAt`) or until `dueAt` passes (`missed`; done
 * later, it stays missed and records `doneAt`).
 */
export interface TicketFollowUp {
  id: string;
  note: string;
  dueAt: Date;
  /** When the holder of the ticket is reminded (the queue's `followUps.remindBeforeMinutes` before). */
  remindAt: Date;
  status: 'pending' | 'kept' | 'missed';
  /** Who promised: `agent:<id>`, `supervisor:<name>`, `admin:<name>`. */
  createdBy: string;
  /** The agent credited with it in the KPIs: the ticket's holder when it was promised. */
  agentId: string | null;
  createdAt: Date;
  remindedAt?: Date;
  doneAt?: Date;
  doneBy?: string;
  doneNote?: string;
  missedAt?: Date;
}

/** The customer's answer to the satisfaction survey sent when the ticket was resolved. */
export interface TicketCsat {
  /** 1 (very dissatisfied) … 5 (very satisfied); 4 and 5 count as satisfied (CSAT %). */
  score: number;
  comment?: string;
  at: Date;
  /** Which resolve it answers: the ticket's reopen count at that resolve. */
  round: number;
  /** The survey page, or the CRM posting the answer as JSON. */
  via: 'page' | 'api';
}

/** How a case was closed: the code, what was done, and whether it is the final answer. */
export interface TicketResolution {
  code: string;
  summary?: string;
  /** The company's final answer on this matter: later complaints on it are handled by policy. */
  finalAnswer: boolean;
  by: string;
  at: Date;
}

/** The live assignment of a complaint in the router (the "ticket" view of it). */
export interface TicketState {
  queue: string;
  /** Skills the ticket needs beyond its queue's (added by route rules), sorted; an agent needs both. */
  skills?: string[];
  priorityScore: number;
  /** The deadline of the current SLA phase, paused time included (queue order, breach counts). */
  dueAt: Date;
  /** When the current phase's SLA warning is due (at-risk counts). */
  warnAt?: Date | null;
  agentId?: string | null;
  claimedAt?: Date | null;
  leaseExpiresAt?: Date | null;
  acknowledgedAt?: Date | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  /** How the case was closed, when the resolve named a code (rules/resolution-codes.json). */
  resolution?: TicketResolution | null;
  /** How often the ticket was transferred to another queue by an agent or admin. */
  transferCount?: number;
  reopenCount?: number;
  sla?: TicketSla;
}

/** A complaint as stored: the input, normalised text, status, decision, ticket and history. */
export interface ComplaintRecord extends Omit<ComplaintInput, 'occurredAt'> {
  _id: string;
  source: string;
  /** Unique: `ext:<scope>:<externalId>`, `key:<scope>:<Idempotency-Key>` or `id:<_id>`; the scope is the caller's (a CRM's source, or `role:subject`). */
  dedupeKey: string;
  occurredAt?: Date;
  status: ComplaintStatus;
  receivedAt: Date;
  updatedAt: Date;
  requestId?: string;
  original?: { subject?: string; body: string };
  decision?: TriageDecision;
  /** The rules evaluated for the decision, each with its condition trace. */
  trace?: RuleTrace[];
  /** How many rules the index proved could not fire: not evaluated, not in `trace`. */
  skippedRules?: number;
  /** The customer's earlier complaints a repeat-complainant rule looked at. */
  relatedComplaintIds?: string[];
  ticket?: TicketState;
  /** Notes written on the ticket, oldest first. */
  notes?: TicketNote[];
  /** Promises to the customer, in the order made. */
  followUps?: TicketFollowUp[];
  /** The latest satisfaction survey answer (one per resolve). */
  csat?: TicketCsat;
  /** The resolve rounds whose survey was answered: a survey link works once. */
  csatRounds?: number[];
  /**
   * The auto-QA result, stored by the worker when the ticket closes (docs/quality.md), and `review`
   * once a reviewer scored the manual criteria (its score then stands for the ticket in the
   * agents' ranking).
   */
  qa?: ComplaintQa & {
    /** Set once the router offered a fatal hit to the QA sampling plan. */
    sampled?: boolean;
  };
  events: ComplaintEvent[];
}
