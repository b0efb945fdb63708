import { type EscalationAction, type QueueDefinition } from '@triage/rules';
import {
  ConflictError,
  NotFoundError,
  type ComplaintEvent,
  type ComplaintRecord,
  type Logger,
  type TicketState,
} from '@triage/shared';
import { pushCandidates, type AgentLoad } from './push-assignment';
import { pendingTimers, replan, startSla, timerFor, type SlaPhase, type SlaTimer } from './sla-clock';
import {
  clockFields,
  eligibleQueues,
  heldStatuses,
  leasedStatuses,
  openStatuses,
  planTicketAction,
  ticketTransitions,
  type PlannedAction,
  type TicketAction,
  type TicketPatch,
} from './ticket-lifecycle';

/* Ports: what the use cases need from storage and timers (implemented in data-access/). */

export interface EventOrigin {
  actor: string;
  requestId?: string | undefined;
}

export interface AgentInfo {
  _id: string;
  name: string;
  skills: string[];
  capacity: number;
  online: boolean;
  activeTickets: number;
  activeTicketsChangedAt?: Date;
}

export interface ClaimRequest {
  agentId: string;
  queues: readonly string[];
  now: Date;
  leaseUntil: Date;
  /** `claimed` when the agent pulled it, `assigned` when a push queue gave it. */
  eventType: 'claimed' | 'assigned';
  origin: EventOrigin;
}

/** The guard of a compare-and-set: the state the caller read and planned from. */
export interface PatchGuard {
  status: ComplaintRecord['status'];
  generation: number;
  agentId?: string | null;
}

export interface SlaFiring {
  phase: string;
  key: string;
  firedAt: Date;
  events: ComplaintEvent[];
  raisePriorityBy: number;
  /** A move to another queue, with the ticket fields and clock fields it sets. */
  move?: { ticket: Partial<TicketState>; sla: Record<string, unknown> };
}

export interface ClaimIndexRepair {
  added: number;
  fixed: number;
  removed: number;
}

export interface TicketStore {
  findById(id: string): Promise<ComplaintRecord | null>;
  enqueueTriaged(id: string, ticket: TicketState, origin: EventOrigin): Promise<ComplaintRecord | null>;
  claimNext(request: ClaimRequest): Promise<ComplaintRecord | null>;
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
  fireSlaStep(
    id: string,
    guard: Omit<PatchGuard, 'agentId'>,
    firing: SlaFiring,
  ): Promise<ComplaintRecord | null>;
  appendEvent(id: string, type: string, origin: EventOrigin, data: Record<string, unknown>): Promise<void>;
  countHeld(agentId: string): Promise<number>;
  claimedBy(agentId: string): Promise<string[]>;
  overdueLeases(before: Date, limit: number): Promise<Array<{ _id: string; agentId: string }>>;
  queuesWithWaitingTickets(queues: readonly string[]): Promise<string[]>;
  /** Removes the timers-pending marker of `generation` (its timers are scheduled). */
  markTimersPlanned(id: string, generation: number): Promise<void>;
  /** Open tickets still marked timers-pending since before `before` (a crash before scheduling). */
  withPendingTimers(before: Date, limit: number): Promise<ComplaintRecord[]>;
  /** Brings the claim index in line with the stored tickets (ADR 0006). */
  reconcileClaimIndex(): Promise<ClaimIndexRepair>;
}

export interface AgentStore {
  findById(id: string): Promise<AgentInfo | null>;
  /** One atomic update: takes a slot if the agent exists, is online and below capacity. */
  reserveIfOnline(id: string): Promise<AgentInfo | null>;
  reserve(id: string): Promise<boolean>;
  release(id: string): Promise<void>;
  correctCount(id: string, expected: number, actual: number, quietBefore: Date): Promise<boolean>;
  onlineWithSkills(skills: readonly string[]): Promise<AgentLoad[]>;
  setOnline(id: string, online: boolean): Promise<AgentInfo | null>;
}

/** A notify action: an outgoing, signed webhook, delivered (and retried) by the notify queue. */
export interface NotifyRequest {
  /** Deterministic: one delivery per ticket, phase, step and action. */
  id: string;
  complaintId: string;
  url: string;
  payload: Record<string, unknown>;
}

export interface TimerPort {
  scheduleSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void>;
  cancelSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void>;
  watchLease(complaintId: string, agentId: string, until: Date): Promise<void>;
  notify(request: NotifyRequest): Promise<void>;
}

export interface SlaTimerDue {
  complaintId: string;
  generation: number;
  phase: SlaPhase;
  key: string;
  dueAt: Date;
}

export type SlaFiringOutcome = 'fired' | 'already-fired' | 'stale' | 'missing';

export interface TicketDeskDeps {
  tickets: TicketStore;
  agents: AgentStore;
  timers: TimerPort;
  queues: () => readonly QueueDefinition[];
  /** Where a decision naming an unknown queue goes (queues.json's defaultQueue, as loaded now). */
  defaultQueue: () => string;
  leaseMs: number;
  logger: Logger;
  /** A capacity counter that has not moved for this long may be corrected from the tickets. */
  counterQuietMs?: number;
  now?: () => Date;
}

const CAS_ATTEMPTS = 5;
const SLA_ACTOR = 'router:sla';
const LEASE_ACTOR = 'router:lease';

/**
 * The router's use cases: claim and push assignment, the ticket lifecycle, leases, SLA timers
 * and the escalation ladder. HTTP handlers and queue processors hand it plain values.
 */
export class TicketDesk {
  private readonly now: () => Date;

  constructor(private readonly deps: TicketDeskDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  queueById = (id: string): QueueDefinition | undefined =>
    this.deps.queues().find((queue) => queue.id === id);

  private ladderOf(queueId: string): QueueDefinition['escalation'] {
    return this.queueById(queueId)?.escalation ?? { warningShare: 0.75, steps: [] };
  }

  /* ---------------------------------------------------------------- routing */

  /**
   * Puts a triaged complaint in its queue with a fresh SLA clock and plans its timers. A replay
   * (the complaint is already queued or further) only re-plans the timers, which is a no-op when
   * they exist: their job ids are deterministic.
   */
  async routeTriaged(
    complaintId: string,
    requestId: string | undefined,
  ): Promise<'queued' | 'already-routed' | 'not-triaged' | 'missing'> {
    const complaint = await this.deps.tickets.findById(complaintId);
    if (!complaint) return 'missing';
    let current: ComplaintRecord | null = complaint;
    let outcome: 'queued' | 'already-routed' = 'already-routed';
    if (complaint.status === 'triaged' && complaint.decision) {
      const { decision } = complaint;
      const queue = this.queueById(decision.queue) ?? this.queueById(this.deps.defaultQueue());
      const queueId = queue?.id ?? decision.queue;
      const sla = {
        ...startSla(complaint.receivedAt, decision.firstResponseDueAt, decision.resolutionDueAt),
        timersPending: true,
      };
      const ticket: TicketState = {
        queue: queueId,
        priorityScore: decision.priority.score,
        ...clockFields(sla, queue),
        agentId: null,
        transferCount: 0,
        reopenCount: 0,
        sla,
      };
      current = await this.deps.tickets.enqueueTriaged(complaintId, ticket, { actor: 'router', requestId });
      if (current) outcome = 'queued';
      else current = await this.deps.tickets.findById(complaintId);
    }
    if (!current?.ticket?.sla) return 'not-triaged';
    await this.planTimers(current);
    if (current.status === 'queued') await this.dispatch(current.ticket.queue, requestId);
    return outcome;
  }

  /* ---------------------------------------------------------------- claims */

  /**
   * The agent takes the best ticket of the queues they have the skills for. Capacity is reserved
   * first with one atomic update on the agent, then the ticket is claimed with one atomic update
   * on the complaint; a claim that finds nothing gives the slot back.
   */
  async claim(agentId: string, requestId: string | undefined): Promise<ComplaintRecord | null> {
    // The common case is one update: the agent is online with a free slot. Only when it is not
    // do we read the agent to say why (or to repair a drifted counter).
    let agent = await this.deps.agents.reserveIfOnline(agentId);
    if (!agent) {
      const current = await this.deps.agents.findById(agentId);
      if (!current) throw new NotFoundError(`No agent with id ${agentId}.`);
      if (!current.online) {
        throw new ConflictError(`Agent ${agentId} is offline; set them online before claiming.`, {
          extra: { online: false },
        });
      }
      if (!(await this.reserveWithRepair(current))) {
        throw new ConflictError(
          `Agent ${agentId} is at capacity (${current.activeTickets} of ${current.capacity} tickets open).`,
          { extra: { active: current.activeTickets, capacity: current.capacity } },
        );
      }
      agent = current;
    }
    const queues = eligibleQueues(this.deps.queues(), agent.skills);
    return this.takeReserved(agentId, queues, 'claimed', { actor: `agent:${agentId}`, requestId });
  }

  /** With a slot reserved for the agent: claim the best ticket, or give the slot back. */
  private async takeReserved(
    agentId: string,
    queues: readonly string[],
    eventType: 'claimed' | 'assigned',
    origin: EventOrigin,
  ): Promise<ComplaintRecord | null> {
    let ticket: ComplaintRecord | null;
    try {
      const now = this.now();
      const leaseUntil = new Date(now.getTime() + this.deps.leaseMs);
      ticket = await this.deps.tickets.claimNext({ agentId, queues, now, leaseUntil, eventType, origin });
      if (ticket) await this.watchLeaseSafely(ticket._id, agentId, leaseUntil);
    } catch (error) {
      await this.deps.agents.release(agentId);
      throw error;
    }
    if (!ticket) await this.deps.agents.release(agentId);
    return ticket;
  }

  private async reserveWithRepair(agent: AgentInfo): Promise<boolean> {
    if (await this.deps.agents.reserve(agent._id)) return true;
    // The counter says full. If it has been quiet for a while and the tickets disagree, a process
    // died between reserving and claiming: correct it and try once more.
    const quietMs = this.deps.counterQuietMs ?? 30_000;
    const quietBefore = new Date(this.now().getTime() - quietMs);
    const changedAt = agent.activeTicketsChangedAt?.getTime() ?? 0;
    if (changedAt >= quietBefore.getTime()) return false;
    const actual = await this.deps.tickets.countHeld(agent._id);
    if (actual >= agent.activeTickets) return false;
    if (!(await this.deps.agents.correctCount(agent._id, agent.activeTickets, actual, quietBefore)))
      return false;
    this.deps.logger.warn(
      { agentId: agent._id, counted: agent.activeTickets, actual },
      'agent capacity counter corrected',
    );
    return this.deps.agents.reserve(agent._id);
  }

  private async watchLeaseSafely(complaintId: string, agentId: string, until: Date): Promise<void> {
    try {
      await this.deps.timers.watchLease(complaintId, agentId, until);
    } catch (error) {
      // The claim stands; the maintenance sweep returns the ticket if its lease then runs out.
      this.deps.logger.warn({ err: error, complaintId, agentId }, 'could not schedule the lease timer');
    }
  }

  /**
   * Push assignment: while the queue has waiting tickets, give the best one to the least-loaded
   * online agent with the skills and a free slot (reserved atomically). Returns how many it gave.
   */
  async dispatch(queueId: string, requestId?: string): Promise<number> {
    const queue = this.queueById(queueId);
    if (queue?.mode !== 'push') return 0;
    let assigned = 0;
    for (let round = 0; round < 1000; round++) {
      const candidates = pushCandidates(await this.deps.agents.onlineWithSkills(queue.skills), queue);
      let reserved: AgentLoad | undefined;
      for (const candidate of candidates) {
        if (await this.deps.agents.reserve(candidate.id)) {
          reserved = candidate;
          break;
        }
      }
      if (!reserved) break;
      const ticket = await this.takeReserved(reserved.id, [queue.id], 'assigned', {
        actor: 'router:push',
        requestId,
      });
      if (!ticket) break;
      assigned++;
    }
    return assigned;
  }

  /** After an agent got a free slot or came online: offer them the push queues they may serve. */
  async dispatchFor(agentId: string, requestId?: string): Promise<void> {
    const agent = await this.deps.agents.findById(agentId);
    if (!agent?.online) return;
    const pushQueues = this.deps
      .queues()
      .filter((queue) => queue.mode === 'push' && eligibleQueues([queue], agent.skills).length === 1);
    const waiting = await this.deps.tickets.queuesWithWaitingTickets(pushQueues.map((queue) => queue.id));
    for (const queueId of waiting) await this.dispatch(queueId, requestId);
  }

  /* ---------------------------------------------------------------- lifecycle */

  /**
   * Applies an agent or admin action. Read, plan (pure), then store with a compare-and-set on
   * status and clock generation, so a concurrent change makes us re-plan rather than overwrite.
   */
  async act(
    complaintId: string,
    action: TicketAction,
    actor: { agentId?: string; label: string },
    options: { targetQueue?: string; reason?: string; requestId?: string } = {},
  ): Promise<ComplaintRecord> {
    const transition = ticketTransitions[action];
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.deps.tickets.findById(complaintId);
      if (!current?.ticket?.sla) throw new NotFoundError(`No ticket with id ${complaintId}.`);
      const holder = current.ticket.agentId ?? null;
      if (!transition.from.includes(current.status)) {
        throw new ConflictError(
          `Cannot ${action} a ticket that is ${current.status} (allowed from: ${transition.from.join(', ')}).`,
          { extra: { ticketStatus: current.status, action } },
        );
      }
      const agentBound = actor.agentId !== undefined && transition.holderOnly;
      if (agentBound && holder !== actor.agentId) {
        throw new ConflictError(
          holder
            ? `Ticket ${complaintId} is held by another agent.`
            : `Ticket ${complaintId} is not held by you.`,
          { extra: { ticketStatus: current.status, action } },
        );
      }
      const now = this.now();
      const plan = planTicketAction(action, current, {
        now,
        leaseMs: this.deps.leaseMs,
        queueById: this.queueById,
        ...(options.targetQueue !== undefined ? { targetQueue: options.targetQueue } : {}),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      });
      if (plan.timers === 'replan') plan.patch.sla.timersPending = true;
      const updated = await this.deps.tickets.applyPatch(
        complaintId,
        { status: current.status, generation: current.ticket.sla.generation, agentId: holder },
        plan.patch,
        { actor: actor.label, requestId: options.requestId },
        now,
      );
      if (!updated) continue; // it changed under us: read again
      await this.afterAction(current, updated, plan, options.requestId);
      return updated;
    }
    throw new ConflictError(`Ticket ${complaintId} kept changing; try again.`);
  }

  private async afterAction(
    before: ComplaintRecord,
    after: ComplaintRecord,
    plan: PlannedAction,
    requestId: string | undefined,
  ): Promise<void> {
    if (plan.timers !== 'keep') await this.cancelTimers(before);
    if (plan.timers === 'replan') await this.planTimers(after);
    if (plan.leaseUntil) await this.watchLeaseSafely(after._id, after.ticket?.agentId ?? '', plan.leaseUntil);
    if (plan.freesAgent) {
      await this.deps.agents.release(plan.freesAgent);
      await this.dispatchFor(plan.freesAgent, requestId);
    }
    if (plan.dispatchQueue) await this.dispatch(plan.dispatchQueue, requestId);
  }

  /** Renews the lease of a held ticket (the agent is still on it). */
  async heartbeat(complaintId: string, actor: { agentId?: string }): Promise<ComplaintRecord> {
    const leaseUntil = new Date(this.now().getTime() + this.deps.leaseMs);
    const renewed = await this.deps.tickets.heartbeat(complaintId, actor.agentId, leaseUntil);
    if (renewed) return renewed;
    const current = await this.deps.tickets.findById(complaintId);
    if (!current?.ticket) throw new NotFoundError(`No ticket with id ${complaintId}.`);
    if (!leasedStatuses.includes(current.status)) {
      throw new ConflictError(`A ${current.status} ticket has no lease to renew.`, {
        extra: { ticketStatus: current.status },
      });
    }
    throw new ConflictError(`Ticket ${complaintId} is held by another agent.`, {
      extra: { ticketStatus: current.status },
    });
  }

  /** A lease timer fired: return the ticket to its queue if the lease really ran out. */
  async expireLease(complaintId: string, agentId: string): Promise<'expired' | 'renewed' | 'stale'> {
    const now = this.now();
    const expired = await this.deps.tickets.expireLease(complaintId, agentId, now, { actor: LEASE_ACTOR });
    if (expired) {
      await this.deps.agents.release(agentId);
      if (expired.ticket) await this.dispatch(expired.ticket.queue);
      return 'expired';
    }
    const current = await this.deps.tickets.findById(complaintId);
    const lease = current?.ticket?.leaseExpiresAt;
    if (current && leasedStatuses.includes(current.status) && current.ticket?.agentId === agentId && lease) {
      // Renewed by heartbeats since this timer was set: watch the new expiry.
      await this.deps.timers.watchLease(complaintId, agentId, lease);
      return 'renewed';
    }
    return 'stale';
  }

  /* ---------------------------------------------------------------- agents */

  /** Online: offer push work. Offline: hand back tickets not yet started. */
  async setPresence(
    agentId: string,
    online: boolean,
    requestId?: string,
  ): Promise<{ agent: AgentInfo; handedBack: string[] }> {
    const agent = await this.deps.agents.setOnline(agentId, online);
    if (!agent) throw new NotFoundError(`No agent with id ${agentId}.`);
    const handedBack = online ? [] : await this.handBackUnstarted(agentId, requestId);
    if (online) await this.dispatchFor(agentId, requestId);
    return { agent: (await this.deps.agents.findById(agentId)) ?? agent, handedBack };
  }

  /** An agent profile changed (PUT /v1/agents/:id): apply presence effects. */
  async agentChanged(agent: AgentInfo, requestId?: string): Promise<string[]> {
    if (agent.online) {
      await this.dispatchFor(agent._id, requestId);
      return [];
    }
    return this.handBackUnstarted(agent._id, requestId);
  }

  private async handBackUnstarted(agentId: string, requestId: string | undefined): Promise<string[]> {
    const handedBack: string[] = [];
    const queues = new Set<string>();
    for (const id of await this.deps.tickets.claimedBy(agentId)) {
      const ticket = await this.deps.tickets.handBack(id, agentId, this.now(), {
        actor: 'router',
        requestId,
      });
      if (!ticket?.ticket) continue;
      handedBack.push(id);
      queues.add(ticket.ticket.queue);
      await this.deps.agents.release(agentId);
    }
    for (const queueId of queues) await this.dispatch(queueId, requestId);
    return handedBack;
  }

  /* ---------------------------------------------------------------- SLA timers */

  /** Schedules the current generation's pending timers (idempotent: deterministic job ids). */
  async planTimers(complaint: ComplaintRecord): Promise<void> {
    const sla = complaint.ticket?.sla;
    if (!sla || !openStatuses.includes(complaint.status) || !complaint.ticket) return;
    const timers = pendingTimers(sla, this.ladderOf(complaint.ticket.queue));
    await this.deps.timers.scheduleSla(complaint._id, sla.generation, timers);
    if (sla.timersPending) await this.deps.tickets.markTimersPlanned(complaint._id, sla.generation);
  }

  /** Removes the pending timers of the generation `complaint` was read at (they would be no-ops anyway). */
  private async cancelTimers(complaint: ComplaintRecord): Promise<void> {
    const sla = complaint.ticket?.sla;
    if (!sla || !complaint.ticket) return;
    const timers = pendingTimers(sla, this.ladderOf(complaint.ticket.queue));
    await this.deps.timers.cancelSla(complaint._id, sla.generation, timers);
  }

  /**
   * A timer is due: record it and apply its step's actions, once. The fired marker, the events,
   * a priority raise and a queue move are one guarded update; notifications go out through the
   * notify queue with deterministic ids, so a retried job re-sends nothing.
   */
  async fireSlaTimer(due: SlaTimerDue): Promise<SlaFiringOutcome> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const complaint = await this.deps.tickets.findById(due.complaintId);
      const ticket = complaint?.ticket;
      const sla = ticket?.sla;
      if (!complaint || !ticket || !sla) return 'missing';
      if (sla.generation !== due.generation || sla.phase !== due.phase) return 'stale';
      const queue = this.queueById(ticket.queue);
      const timer = timerFor(sla, this.ladderOf(ticket.queue), due.key);
      if (!timer) return 'stale';
      const firedAt = sla.fired?.[due.phase]?.[due.key];
      if (firedAt !== undefined) {
        await this.sendNotifications(complaint, timer, firedAt);
        return 'already-fired';
      }
      if (!openStatuses.includes(complaint.status) || sla.pausedAt) return 'stale';

      const now = this.now();
      const origin = { actor: SLA_ACTOR };
      const stepData = {
        phase: due.phase,
        step: due.key,
        queue: ticket.queue,
        dueAt: timer.dueAt,
        lateMs: now.getTime() - timer.dueAt.getTime(),
      };
      const events: ComplaintEvent[] = [
        {
          type:
            timer.kind === 'warning'
              ? 'sla.warning'
              : timer.kind === 'breach'
                ? 'sla.breached'
                : 'sla.escalated',
          at: now,
          actor: origin.actor,
          data: stepData,
        },
      ];
      const raisePriorityBy = timer.actions
        .filter(
          (action): action is Extract<EscalationAction, { type: 'raise-priority' }> =>
            action.type === 'raise-priority',
        )
        .reduce((sum, action) => sum + action.by, 0);
      if (raisePriorityBy !== 0) {
        events.push({
          type: 'priority-raised',
          at: now,
          actor: origin.actor,
          data: {
            step: due.key,
            by: raisePriorityBy,
            from: ticket.priorityScore,
            to: ticket.priorityScore + raisePriorityBy,
          },
        });
      }
      const moveTo = timer.actions.find(
        (action): action is Extract<EscalationAction, { type: 'move-queue' }> => action.type === 'move-queue',
      )?.to;
      const target = moveTo !== undefined && moveTo !== ticket.queue ? this.queueById(moveTo) : undefined;
      const holder = heldStatuses.includes(complaint.status) ? (ticket.agentId ?? null) : null;
      let move: { ticket: Partial<TicketState>; sla: Record<string, unknown> } | undefined;
      if (target) {
        const next = replan(sla);
        move = {
          ticket: {
            queue: target.id,
            agentId: null,
            claimedAt: null,
            leaseExpiresAt: null,
            ...clockFields(next, target),
          },
          sla: { generation: next.generation, timersPending: true },
        };
        events.push({
          type: 'queue-moved',
          at: now,
          actor: origin.actor,
          data: {
            step: due.key,
            from: ticket.queue,
            to: target.id,
            ...(holder ? { fromAgent: holder } : {}),
          },
        });
      }
      for (const action of timer.actions) {
        if (action.type === 'notify') {
          events.push({
            type: 'notify-queued',
            at: now,
            actor: origin.actor,
            data: { step: due.key, url: action.url },
          });
        }
      }
      const fired = await this.deps.tickets.fireSlaStep(
        complaint._id,
        { status: complaint.status, generation: sla.generation },
        { phase: due.phase, key: due.key, firedAt: now, events, raisePriorityBy, ...(move ? { move } : {}) },
      );
      if (!fired) continue; // changed under us (claimed, acknowledged, fired by a twin job…): look again
      this.deps.logger.info(
        { complaintId: complaint._id, ...stepData, queueBefore: queue?.id },
        'sla timer fired',
      );
      if (target) {
        await this.cancelTimers(complaint);
        await this.planTimers(fired);
        if (holder) {
          await this.deps.agents.release(holder);
          await this.dispatchFor(holder);
        }
        await this.dispatch(target.id);
      }
      await this.sendNotifications(fired, timer, now);
      return 'fired';
    }
    return 'stale';
  }

  private async sendNotifications(complaint: ComplaintRecord, timer: SlaTimer, firedAt: Date): Promise<void> {
    const ticket = complaint.ticket;
    if (!ticket) return;
    const notifies = timer.actions.flatMap((action, index) =>
      action.type === 'notify' ? [{ action, index }] : [],
    );
    for (const { action, index } of notifies) {
      await this.deps.timers.notify({
        id: `notify-${complaint._id}-${timer.phase}-${timer.key}-${index}`,
        complaintId: complaint._id,
        url: action.url,
        payload: {
          type:
            timer.kind === 'warning'
              ? 'sla.warning'
              : timer.kind === 'breach'
                ? 'sla.breached'
                : 'sla.escalated',
          complaintId: complaint._id,
          phase: timer.phase,
          step: timer.key,
          dueAt: timer.dueAt.toISOString(),
          firedAt: firedAt.toISOString(),
          queue: ticket.queue,
          status: complaint.status,
          agentId: ticket.agentId ?? null,
          priorityScore: ticket.priorityScore,
          severity: complaint.decision?.severity ?? null,
          customerTier: complaint.customer.tier ?? null,
        },
      });
    }
  }

  /* ---------------------------------------------------------------- maintenance */

  /**
   * The safety net, run periodically: returns tickets whose lease timer was lost (a crash between
   * claim and scheduling), schedules SLA timers a crash left unscheduled (between a new clock
   * generation and its timers), repairs the claim index from the stored tickets and assigns
   * waiting tickets of push queues.
   */
  async sweep(graceMs = 5_000): Promise<{
    leasesExpired: number;
    timersPlanned: number;
    indexRepaired: number;
    pushed: number;
  }> {
    let leasesExpired = 0;
    const before = new Date(this.now().getTime() - graceMs);
    for (const lease of await this.deps.tickets.overdueLeases(before, 500)) {
      if ((await this.expireLease(lease._id, lease.agentId)) === 'expired') leasesExpired++;
    }
    let timersPlanned = 0;
    for (const complaint of await this.deps.tickets.withPendingTimers(before, 500)) {
      await this.planTimers(complaint);
      timersPlanned++;
    }
    if (timersPlanned > 0) this.deps.logger.warn({ timersPlanned }, 'SLA timers scheduled by the sweep');
    const repair = await this.deps.tickets.reconcileClaimIndex();
    const indexRepaired = repair.added + repair.fixed + repair.removed;
    if (indexRepaired > 0) this.deps.logger.warn(repair, 'claim index repaired from the stored tickets');
    let pushed = 0;
    const pushQueues = this.deps.queues().filter((queue) => queue.mode === 'push');
    for (const queueId of await this.deps.tickets.queuesWithWaitingTickets(
      pushQueues.map((queue) => queue.id),
    )) {
      pushed += await this.dispatch(queueId);
    }
    return { leasesExpired, timersPlanned, indexRepaired, pushed };
  }
}
