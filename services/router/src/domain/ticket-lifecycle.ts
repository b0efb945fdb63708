import { type QueueDefinition, type TriageDecision } from '@triage/rules';
import { ConflictError, ValidationError } from '@triage/shared/kernel';
import type {
  ComplaintRecord,
  ComplaintStatus,
  SlaPause,
  TicketSla,
  TicketState,
} from '@triage/shared/complaint';
import {
  enterResolutionPhase,
  pauseClock,
  phaseDeadline,
  replan,
  resumeClock,
  warningTime,
} from './sla-clock';

/*
 * The ticket lifecycle:
 *
 *   queued ─claim/assign─▶ claimed ─ack─▶ in_progress ⇄ waiting_customer (pause / resume)
 *      ▲                     │               │                │
 *      └──release / transfer / lease expiry──┘                │
 *   in_progress, claimed, waiting_customer ─resolve─▶ resolved ─close─▶ closed
 *   resolved ─reopen─▶ queued
 *
 * Each action names the statuses it may leave from; anything else is a 409.
 */

export type TicketAction =
  'ack' | 'pause' | 'resume' | 'resolve' | 'close' | 'reopen' | 'release' | 'transfer';

export const ticketActions: readonly TicketAction[] = [
  'ack',
  'pause',
  'resume',
  'resolve',
  'close',
  'reopen',
  'release',
  'transfer',
];

interface Transition {
  from: readonly ComplaintStatus[];
  to: ComplaintStatus;
  event: string;
  /** An agent may only do it to a ticket they hold (admins may always). */
  holderOnly: boolean;
}

export const ticketTransitions: Record<TicketAction, Transition> = {
  ack: { from: ['claimed'], to: 'in_progress', event: 'acknowledged', holderOnly: true },
  pause: { from: ['in_progress'], to: 'waiting_customer', event: 'waiting-customer', holderOnly: true },
  resume: { from: ['waiting_customer'], to: 'in_progress', event: 'resumed', holderOnly: true },
  resolve: {
    from: ['claimed', 'in_progress', 'waiting_customer'],
    to: 'resolved',
    event: 'resolved',
    holderOnly: true,
  },
  close: { from: ['resolved'], to: 'closed', event: 'closed', holderOnly: true },
  // The customer may come back to anyone: any agent or admin may reopen.
  reopen: { from: ['resolved'], to: 'queued', event: 'reopened', holderOnly: false },
  release: { from: ['claimed', 'in_progress'], to: 'queued', event: 'released', holderOnly: true },
  transfer: {
    from: ['queued', 'claimed', 'in_progress'],
    to: 'queued',
    event: 'transferred',
    holderOnly: true,
  },
};

/** Statuses in which an agent holds the ticket (and it counts against their capacity). */
export const heldStatuses: readonly ComplaintStatus[] = ['claimed', 'in_progress', 'waiting_customer'];
/** Statuses whose SLA clock may run. */
export const openStatuses: readonly ComplaintStatus[] = [
  'queued',
  'claimed',
  'in_progress',
  'waiting_customer',
];
/** Statuses in which a lease must be renewed by heartbeats. */
export const leasedStatuses: readonly ComplaintStatus[] = ['claimed', 'in_progress'];

export type TicketSlaFields = Omit<TicketSla, 'fired' | 'pauses'>;

/** The change an action makes: set these ticket and clock fields (never `fired`, which timers own). */
export interface TicketPatch {
  status: ComplaintStatus;
  ticket: Partial<Omit<TicketState, 'sla'>>;
  sla: Partial<TicketSlaFields>;
  addPause?: SlaPause;
  /** Triage decision fields a supervisor overrode (override-ticket.ts); set as `decision.<field>`. */
  decision?: Partial<Pick<TriageDecision, 'severity'>>;
  event: { type: string; data?: Record<string, unknown> };
}

export interface PlannedAction {
  patch: TicketPatch;
  /** The agent whose capacity the action frees, if any. */
  freesAgent: string | null;
  /** What happens to the SLA timers: keep them, drop them (clock stopped), or plan them anew. */
  timers: 'keep' | 'cancel' | 'replan';
  /** A lease to watch (its expiry returns the ticket to its queue). */
  leaseUntil: Date | null;
  /** A push queue the ticket (re-)entered: assign it. */
  dispatchQueue: string | null;
}

export interface ActionContext {
  now: Date;
  leaseMs: number;
  queueById: (id: string) => QueueDefinition | undefined;
  /** For transfer: where to. */
  targetQueue?: string;
  reason?: string;
}

/** Deadline and warning fields of a ticket whose clock is `sla` in `queue`. */
export function clockFields(
  sla: TicketSla,
  queue: QueueDefinition | undefined,
): Pick<TicketState, 'dueAt' | 'warnAt'> {
  return {
    dueAt: phaseDeadline(sla),
    warnAt: warningTime(sla, queue?.escalation ?? { warningShare: 0.75 }),
  };
}

function slaFields(sla: TicketSla): Partial<TicketSlaFields> {
  return {
    phase: sla.phase,
    generation: sla.generation,
    pausedMs: sla.pausedMs,
    pausedAt: sla.pausedAt ?? null,
    pausedFor: sla.pausedFor ?? null,
  };
}

function lastPause(before: TicketSla, after: TicketSla): SlaPause | undefined {
  const pauses = after.pauses ?? [];
  return pauses.length > (before.pauses?.length ?? 0) ? pauses[pauses.length - 1] : undefined;
}

function dispatchIf(queue: QueueDefinition | undefined): string | null {
  return queue?.mode === 'push' ? queue.id : null;
}

/**
 * What `action` does to `complaint`. Pure: the caller checked the status and holder, and stores
 * the patch with a compare-and-set on status and clock generation.
 */
export function planTicketAction(
  action: TicketAction,
  complaint: ComplaintRecord,
  ctx: ActionContext,
): PlannedAction {
  const ticket = complaint.ticket;
  if (!ticket?.sla) throw new ConflictError(`Complaint ${complaint._id} is not a routed ticket.`);
  const sla = ticket.sla;
  const { now } = ctx;
  const queue = ctx.queueById(ticket.queue);
  const holder = heldStatuses.includes(complaint.status) ? (ticket.agentId ?? null) : null;
  const to = ticketTransitions[action].to;
  const type = ticketTransitions[action].event;
  const lease = new Date(now.getTime() + ctx.leaseMs);
  const keep = { freesAgent: null, timers: 'keep' as const, leaseUntil: null, dispatchQueue: null };

  switch (action) {
    case 'ack': {
      const next = enterResolutionPhase(sla);
      return {
        ...keep,
        patch: {
          status: to,
          ticket: {
            acknowledgedAt: ticket.acknowledgedAt ?? now,
            leaseExpiresAt: lease,
            ...clockFields(next, queue),
          },
          sla: slaFields(next),
          event: { type, data: { firstResponse: !ticket.acknowledgedAt } },
        },
        timers: next === sla ? 'keep' : 'replan',
        leaseUntil: lease,
      };
    }
    case 'pause': {
      const next = pauseClock(sla, now, 'waiting_customer');
      return {
        ...keep,
        patch: { status: to, ticket: { leaseExpiresAt: null }, sla: slaFields(next), event: { type } },
        timers: 'cancel',
      };
    }
    case 'resume': {
      const next = resumeClock(sla, now);
      const pause = lastPause(sla, next);
      return {
        ...keep,
        patch: {
          status: to,
          ticket: { leaseExpiresAt: lease, ...clockFields(next, queue) },
          sla: slaFields(next),
          ...(pause ? { addPause: pause } : {}),
          event: { type, data: { pausedMs: pause ? pause.to.getTime() - pause.from.getTime() : 0 } },
        },
        timers: 'replan',
        leaseUntil: lease,
      };
    }
    case 'resolve': {
      const next = pauseClock(sla, now, 'resolved');
      return {
        ...keep,
        patch: {
          status: to,
          ticket: { resolvedAt: now, leaseExpiresAt: null },
          sla: slaFields(next),
          event: { type },
        },
        freesAgent: holder,
        timers: 'cancel',
      };
    }
    case 'close':
      return { ...keep, patch: { status: to, ticket: { closedAt: now }, sla: {}, event: { type } } };
    case 'reopen': {
      const next = resumeClock(sla, now);
      const pause = lastPause(sla, next);
      return {
        ...keep,
        patch: {
          status: to,
          ticket: {
            agentId: null,
            claimedAt: null,
            leaseExpiresAt: null,
            resolvedAt: null,
            resolution: null,
            reopenCount: (ticket.reopenCount ?? 0) + 1,
            ...clockFields(next, queue),
          },
          sla: slaFields(next),
          ...(pause ? { addPause: pause } : {}),
          event: { type, data: { queue: ticket.queue, ...(ctx.reason ? { reason: ctx.reason } : {}) } },
        },
        timers: 'replan',
        dispatchQueue: dispatchIf(queue),
      };
    }
    case 'release':
      return {
        ...keep,
        patch: {
          status: to,
          ticket: { agentId: null, claimedAt: null, leaseExpiresAt: null },
          sla: {},
          event: { type, data: { queue: ticket.queue, ...(ctx.reason ? { reason: ctx.reason } : {}) } },
        },
        freesAgent: holder,
        dispatchQueue: dispatchIf(queue),
      };
    case 'transfer': {
      const targetId = ctx.targetQueue;
      const target = targetId === undefined ? undefined : ctx.queueById(targetId);
      if (!target || targetId === undefined) {
        throw new ValidationError(`Unknown queue "${targetId ?? ''}".`, [
          { path: '/queue', message: 'not a queue of rules/queues.json' },
        ]);
      }
      if (target.id === ticket.queue) {
        throw new ConflictError(`Ticket ${complaint._id} is already in queue ${target.id}.`);
      }
      const next = replan(sla);
      const transferCount = (ticket.transferCount ?? 0) + 1;
      return {
        patch: {
          status: to,
          ticket: {
            queue: target.id,
            agentId: null,
            claimedAt: null,
            leaseExpiresAt: null,
            transferCount,
            ...clockFields(next, target),
          },
          sla: slaFields(next),
          event: {
            type,
            data: {
              from: ticket.queue,
              to: target.id,
              transferCount,
              ...(holder ? { fromAgent: holder } : {}),
              ...(ctx.reason ? { reason: ctx.reason } : {}),
            },
          },
        },
        freesAgent: holder,
        timers: 'replan',
        leaseUntil: null,
        dispatchQueue: dispatchIf(target),
      };
    }
  }
}

/** The queues an agent may take from: those whose every required skill the agent has. */
export function eligibleQueues(queues: readonly QueueDefinition[], agentSkills: readonly string[]): string[] {
  const skills = new Set(agentSkills);
  return queues.filter((queue) => queue.skills.every((skill) => skills.has(skill))).map((queue) => queue.id);
}

/** The skills a ticket needs beyond its queue's: what the route rules added, sorted, once each. */
export function ticketSkills(decided: readonly string[], queueSkills: readonly string[]): string[] {
  const ofQueue = new Set(queueSkills);
  return [...new Set(decided)].filter((skill) => !ofQueue.has(skill)).sort();
}

/** Whether an agent has every skill a ticket needs: its queue's and its own. */
export function canServe(
  agentSkills: readonly string[],
  queue: Pick<QueueDefinition, 'skills'> | undefined,
  ticket: Pick<TicketState, 'skills'>,
): boolean {
  const skills = new Set(agentSkills);
  return [...(queue?.skills ?? []), ...(ticket.skills ?? [])].every((skill) => skills.has(skill));
}
