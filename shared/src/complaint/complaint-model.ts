import { Schema, type Connection, type Model } from 'mongoose';
import type { ComplaintInput } from './complaint-input';
import { complaintStatuses, type ComplaintEvent, type ComplaintStatus } from './complaint-status';
import type { RuleTrace, TriageDecision } from '@triage/rules';

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

/** The live assignment of a complaint in the router (the "ticket" view of it). */
export interface TicketState {
  queue: string;
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
  events: ComplaintEvent[];
}

const eventSchema = new Schema<ComplaintEvent>(
  {
    type: { type: String, required: true },
    at: { type: Date, required: true },
    actor: String,
    requestId: String,
    data: Schema.Types.Mixed,
  },
  { _id: false },
);

const complaintSchema = new Schema<ComplaintRecord>(
  {
    _id: { type: String, required: true },
    externalId: String,
    source: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    customer: {
      id: { type: String, required: true },
      name: String,
      email: String,
      phone: String,
      tier: String,
    },
    channel: { type: String, required: true },
    subject: String,
    body: { type: String, required: true },
    original: { subject: String, body: String },
    product: String,
    language: String,
    occurredAt: Date,
    metadata: Schema.Types.Mixed,
    status: { type: String, enum: complaintStatuses, required: true },
    receivedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    requestId: String,
    decision: Schema.Types.Mixed,
    trace: Schema.Types.Mixed,
    skippedRules: Number,
    relatedComplaintIds: { type: [String], default: undefined },
    ticket: {
      type: new Schema<TicketState>(
        {
          queue: String,
          priorityScore: Number,
          dueAt: Date,
          agentId: String,
          claimedAt: Date,
          leaseExpiresAt: Date,
          acknowledgedAt: Date,
          resolvedAt: Date,
          warnAt: Date,
          closedAt: Date,
          transferCount: Number,
          reopenCount: Number,
          sla: Schema.Types.Mixed,
        },
        { _id: false },
      ),
      default: undefined,
    },
    events: { type: [eventSchema], default: [] },
  },
  { collection: 'complaints', versionKey: false, minimize: true },
);

complaintSchema.index({ dedupeKey: 1 }, { unique: true });
// Guarded status changes ({ _id, status } with an expected status: intake's markEnqueued, the
// worker's saveDecision, the router's enqueueTriaged). MongoDB serves them from the _id index
// and this one costs it little; the MongoDB stand-in (ADR 0001) uses an index only when the
// query names exactly its fields, and otherwise scans the collection up to the document — the
// newest, at the end: 91 ms at 50,000 complaints, 2.4 ms with this index.
complaintSchema.index({ _id: 1, status: 1 }, { unique: true });
complaintSchema.index({ status: 1, updatedAt: 1 });
complaintSchema.index({ 'customer.id': 1, receivedAt: -1 });
// The claim query: best ticket first inside the agent's queues.
complaintSchema.index({
  status: 1,
  'ticket.queue': 1,
  'ticket.priorityScore': -1,
  'ticket.dueAt': 1,
  receivedAt: 1,
});
complaintSchema.index({ 'ticket.agentId': 1, status: 1 });
// The sweep's "timers not yet scheduled" lookup; the marker lives for milliseconds, so sparse.
complaintSchema.index({ 'ticket.sla.timersPending': 1 }, { sparse: true });

export type ComplaintModel = Model<ComplaintRecord>;

/** Binds the complaint model to a connection (each service and test owns its connection). */
export function complaintModel(connection: Connection): ComplaintModel {
  return (
    (connection.models.Complaint as ComplaintModel | undefined) ??
    connection.model('Complaint', complaintSchema)
  );
}
