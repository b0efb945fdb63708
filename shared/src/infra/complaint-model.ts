import { Schema, type Connection, type Model } from 'mongoose';
import { complaintStatuses, type ComplaintEvent, type ComplaintRecord, type TicketState } from '../complaint';

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
          skills: { type: [String], default: undefined },
          resolution: Schema.Types.Mixed,
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
    notes: { type: [Schema.Types.Mixed], default: undefined },
    followUps: { type: [Schema.Types.Mixed], default: undefined },
    csat: Schema.Types.Mixed,
    /** The QA result (auto criteria, reviews, score), once the ticket was scored. */
    qa: Schema.Types.Mixed,
    csatRounds: { type: [Number], default: undefined },
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
// The router's guarded updates by _id, for the same reason as { _id, status } above: the claim
// of a ticket popped from the claim index ({ _id, status, 'ticket.queue' }) and an agent's or
// admin's action ({ _id, status, 'ticket.sla.generation', 'ticket.agentId' }). Without them the
// stand-in scans up to the ticket on every claim and every resolve (5 ms at 10,000 tickets
// alone, far more under load); with them it is one index lookup. See docs/benchmarks.md,
// "Claim and resolve loop".
complaintSchema.index({ _id: 1, status: 1, 'ticket.queue': 1 }, { unique: true });
complaintSchema.index(
  { _id: 1, status: 1, 'ticket.sla.generation': 1, 'ticket.agentId': 1 },
  { unique: true },
);
// The router's markTimersPlanned ({ _id, generation, timersPending }), once per routed complaint:
// without it the stand-in scans up to the ticket (the last scan left in the pipeline at 50k stored).
complaintSchema.index(
  { _id: 1, 'ticket.sla.generation': 1, 'ticket.sla.timersPending': 1 },
  { unique: true },
);
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
