import type {
  ComplaintEvent,
  ComplaintRecord,
  TicketCsat,
  TicketFollowUp,
  TicketNote,
  TicketState,
} from '@triage/shared/complaint';
import type { CrmDelivery } from './crm-loop';
import type { SlaTimer } from './sla-clock';
import type { TicketPatch } from './ticket-lifecycle';

/*
 * The ports of the router's use cases: what they need from storage and timers. The adapters in
 * data-access/ implement them; the unit tests' in-memory fakes (test/fakes/) implement them too.
 */

/** Who caused a change, recorded on the event it pushes. */
export interface EventOrigin {
  actor: string;
  requestId?: string | undefined;
}

/** An agent as the use cases see them (the stored agent document carries more). */
export interface Agent {
  _id: string;
  name: string;
  skills: string[];
  capacity: number;
  online: boolean;
  /** Tickets the agent holds: a counter, so reserving a slot is one atomic update (ADR 0003). */
  activeTickets: number;
  activeTicketsChangedAt?: Date;
}

export interface ClaimRequest {
  agentId: string;
  /** The agent queues to take from. */
  queues: readonly string[];
  /** The agent's skills: a ticket is taken only by an agent with all its skills. */
  agentSkills: readonly string[];
  now: Date;
  leaseUntil: Date;
  /** `claimed` when the agent pulled it, `assigned` when a push queue gave it. */
  eventType: 'claimed' | 'assigned';
  origin: EventOrigin;
}

/** A claim of one named ticket: a supervisor assigning it to an agent. */
export type AssignRequest = Omit<ClaimRequest, 'queues' | 'agentSkills'>;

/** The guard of a compare-and-set: the state the caller read and planned from. */
export interface PatchGuard {
  status: ComplaintRecord['status'];
  generation: number;
  agentId?: string | null;
}

/** A planned SLA ladder step, stored by `TicketStore.fireSlaStep` in one guarded update. */
export interface SlaFiring {
  phase: string;
  key: string;
  firedAt: Date;
  events: ComplaintEvent[];
  raisePriorityBy: number;
  /** A move to another agent queue, with the ticket fields and clock fields it sets. */
  move?: { ticket: Partial<TicketState>; sla: Record<string, unknown> };
}

/** The state a promise must still be in for `TicketStore.updateFollowUp` to change it. */
export interface FollowUpExpectation {
  status: TicketFollowUp['status'];
  reminded?: boolean;
  done?: boolean;
}

export interface ClaimIndexRepair {
  added: number;
  fixed: number;
  removed: number;
}

/** The tickets' write model, and the few queries the use cases decide from. */
export interface TicketStore {
  findById(id: string): Promise<ComplaintRecord | null>;
  enqueueTriaged(id: string, ticket: TicketState, origin: EventOrigin): Promise<ComplaintRecord | null>;
  claimNext(request: ClaimRequest): Promise<ComplaintRecord | null>;
  /** Takes the named ticket for the agent if it is waiting; null otherwise. */
  claimById(id: string, request: AssignRequest): Promise<ComplaintRecord | null>;
  applyPatch(
    id: string,
    guard: PatchGuard,
    patch: TicketPatch,
    origin: EventOrigin,
    now: Date,
  ): Promise<ComplaintRecord | null>;
  heartbeat(id: string, agentId: string | undefined, leaseUntil: Date): Promise<ComplaintRecord | null>;
  expireLease(id: string, agentId: string, now: Date, origin: EventOrigin): Promise<ComplaintRecord | null>;
  handBack(id: string, agentId: string, now: Date, origin: EventOrigin): Promise<ComplaintRecord | null>;
  /**
   * An acknowledged ticket's lease ran out: it stays with its agent; the lease is cleared and a
   * `lease-lapsed` event recorded, once. Null when it is not (or no longer) so.
   */
  markLeaseLapsed(
    id: string,
    agentId: string,
    now: Date,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null>;
  fireSlaStep(
    id: string,
    guard: Omit<PatchGuard, 'agentId'>,
    firing: SlaFiring,
  ): Promise<ComplaintRecord | null>;
  appendEvent(id: string, type: string, origin: EventOrigin, data: Record<string, unknown>): Promise<void>;
  /** Appends a note and its `note-added` event to a routed ticket; null when there is none. */
  appendNote(id: string, note: TicketNote, origin: EventOrigin): Promise<ComplaintRecord | null>;
  /**
   * Appends a promise and its `follow-up.promised` event to a ticket that is not closed (and, with
   * `holder`, held by that agent); null when there is no such ticket.
   */
  addFollowUp(
    id: string,
    followUp: TicketFollowUp,
    holder: string | undefined,
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null>;
  /**
   * Changes one promise if it is still as `expected` says (status, and whether a reminder or a
   * `doneAt` was recorded), with its event, in one guarded update; null when it is not.
   */
  updateFollowUp(
    id: string,
    /** The promise, and its place in the ticket's list (promises are only appended, so it stays). */
    followUp: { id: string; index: number },
    expected: FollowUpExpectation,
    set: Partial<TicketFollowUp>,
    event: ComplaintEvent,
  ): Promise<ComplaintRecord | null>;
  /** Stores a survey answer unless its round was answered already (then null). */
  recordCsat(id: string, csat: TicketCsat, event: ComplaintEvent): Promise<ComplaintRecord | null>;
  /** Tickets with a pending promise due before `before` (the sweep: a lost timer). */
  withOverdueFollowUps(before: Date, limit: number): Promise<ComplaintRecord[]>;
  countHeld(agentId: string): Promise<number>;
  /** Held tickets per agent, over every agent (one pass; the sweep's counter check). */
  heldCounts(): Promise<Map<string, number>>;
  /**
   * Whether a ticket left the agent's hands (resolved, released, handed back, moved, expired) at
   * or after `since`: the slot release that follows such a write may still be on its way.
   */
  ticketLeftAgentSince(agentId: string, since: Date): Promise<boolean>;
  claimedBy(agentId: string): Promise<string[]>;
  overdueLeases(before: Date, limit: number): Promise<Array<{ _id: string; agentId: string }>>;
  /** Queues among `queues` with a waiting ticket, as the stored tickets say (exact; the sweep). */
  queuesWithWaitingTickets(queues: readonly string[]): Promise<string[]>;
  /**
   * The same as the claim index says, without reading the tickets: what each action that frees
   * an agent asks (ADR 0006). A hint: a stale entry costs one take that finds nothing, a ticket
   * the index lacks waits for the sweep. Without an index, or with it unreachable, exact.
   */
  queuesWithIndexedTickets(queues: readonly string[]): Promise<string[]>;
  /** Removes the timers-pending marker of `generation` (its timers are scheduled). */
  markTimersPlanned(id: string, generation: number): Promise<void>;
  /** Open tickets still marked timers-pending since before `before` (a crash before scheduling). */
  withPendingTimers(before: Date, limit: number): Promise<ComplaintRecord[]>;
  /** Brings the claim index in line with the stored tickets (ADR 0006). */
  reconcileClaimIndex(): Promise<ClaimIndexRepair>;
}

export interface AgentStore {
  findById(id: string): Promise<Agent | null>;
  /** One atomic update: takes a slot if the agent exists, is online and below capacity. */
  reserveIfOnline(id: string): Promise<Agent | null>;
  reserve(id: string): Promise<boolean>;
  /** Gives a slot back; the agent as it now is, or null when the counter was already 0. */
  release(id: string): Promise<Agent | null>;
  correctCount(id: string, expected: number, actual: number, quietBefore: Date): Promise<boolean>;
  list(): Promise<Agent[]>;
  onlineWithSkills(skills: readonly string[]): Promise<Agent[]>;
  setOnline(id: string, online: boolean): Promise<Agent | null>;
}

/** A notify action: an outgoing, signed webhook, delivered (and retried) by the notify job queue. */
export interface NotifyRequest {
  /** Deterministic: one delivery per ticket, phase, step and action. */
  id: string;
  complaintId: string;
  url: string;
  payload: Record<string, unknown>;
}

/** Delayed work: SLA timers, lease timers and notifications (BullMQ job queues in production). */
export interface TimerPort {
  scheduleSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void>;
  cancelSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void>;
  watchLease(complaintId: string, agentId: string, until: Date): Promise<void>;
  notify(request: NotifyRequest): Promise<void>;
  /** A promise's reminder and due timers (deterministic ids: scheduling twice is a no-op). */
  scheduleFollowUp(
    complaintId: string,
    followUp: Pick<TicketFollowUp, 'id' | 'remindAt' | 'dueAt'>,
  ): Promise<void>;
  cancelFollowUp(complaintId: string, followUpId: string): Promise<void>;
  /** Queues a status change for a CRM's outgoing webhook (signed, retried, dead-lettered). */
  tellCrm(delivery: CrmDelivery): Promise<void>;
}

/** The worker's auto-QA of closed tickets (the `qa` job queue). */
export interface AutoQaQueue {
  /** Once per close (deterministic job id): asking twice is a no-op. */
  requestQa(complaintId: string, closeNumber: number, requestId: string | undefined): Promise<void>;
}

/** How a complaint was resolved, as its customer's later complaints' rules see it. */
export interface ResolvedOutcome {
  complaintId: string;
  customerId: string;
  /** The complaint's triage category. */
  category: string;
  code: string;
  finalAnswer: boolean;
  at: Date;
}

/** The customers' histories (ADR 0007), from the router's side: outcomes of resolved complaints. */
export interface OutcomeLog {
  /** Records the outcome once, however often it is called for one complaint. */
  record(outcome: ResolvedOutcome): Promise<void>;
}
