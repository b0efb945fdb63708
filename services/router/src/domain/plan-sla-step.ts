import type { ComplaintEvent, ComplaintRecord, TicketState } from '@triage/shared/complaint';
import type { EscalationAction, QueueDefinition } from '@triage/rules';
import { ladderOfQueue } from './desk-deps';
import type { NotifyRequest, PatchGuard, SlaFiring } from './ports';
import { replan, timerFor, type SlaPhase, type SlaTimer } from './sla-clock';
import { slaTimerKinds } from './sla-timer-kinds';
import { clockFields, heldStatuses, openStatuses } from './ticket-lifecycle';

/** An SLA timer job as it comes due. */
export interface SlaTimerDue {
  complaintId: string;
  generation: number;
  phase: SlaPhase;
  key: string;
  dueAt: Date;
}

export const SLA_ACTOR = 'router:sla';

/** What a due timer does to the ticket as read. */
export type SlaStepPlan =
  | { outcome: 'missing' }
  | { outcome: 'stale' }
  /** The step fired before (a retried or twin job): only its notifications are re-offered. */
  | { outcome: 'already-fired'; complaint: ComplaintRecord; timer: SlaTimer; firedAt: Date }
  | {
      outcome: 'fire';
      /** The complaint as read. */
      complaint: ComplaintRecord;
      timer: SlaTimer;
      /** The state the plan was made from: the store applies it only if the ticket still is. */
      guard: Omit<PatchGuard, 'agentId'>;
      firing: SlaFiring;
      /** The agent queue the step moves the ticket to, if any. */
      target: QueueDefinition | undefined;
      /** The agent who loses the ticket by the move, if one held it. */
      holder: string | null;
      /** What the step log line says. */
      step: { phase: SlaPhase; step: string; queue: string; dueAt: Date; lateMs: number };
    };

export interface SlaStepContext {
  now: Date;
  queueById: (id: string) => QueueDefinition | undefined;
}

/**
 * Plans an SLA ladder step, pure: the fired marker, the events, a priority raise and a move to
 * another agent queue, all of which the caller stores in one guarded update.
 */
export function planSlaStep(
  complaint: ComplaintRecord | null,
  due: SlaTimerDue,
  ctx: SlaStepContext,
): SlaStepPlan {
  const ticket = complaint?.ticket;
  const sla = ticket?.sla;
  if (!complaint || !ticket || !sla) return { outcome: 'missing' };
  if (sla.generation !== due.generation || sla.phase !== due.phase) return { outcome: 'stale' };
  const timer = timerFor(sla, ladderOfQueue(ctx.queueById(ticket.queue)), due.key);
  if (!timer) return { outcome: 'stale' };
  const firedAt = sla.fired?.[due.phase]?.[due.key];
  if (firedAt !== undefined) return { outcome: 'already-fired', complaint, timer, firedAt };
  if (!openStatuses.includes(complaint.status) || sla.pausedAt) return { outcome: 'stale' };

  const { now } = ctx;
  const event = (type: string, data: Record<string, unknown>): ComplaintEvent => ({
    type,
    at: now,
    actor: SLA_ACTOR,
    data,
  });
  const step = {
    phase: due.phase,
    step: due.key,
    queue: ticket.queue,
    dueAt: timer.dueAt,
    lateMs: now.getTime() - timer.dueAt.getTime(),
  };
  const events: ComplaintEvent[] = [event(slaTimerKinds[timer.kind].event, step)];
  const raisePriorityBy = timer.actions
    .filter(
      (action): action is Extract<EscalationAction, { type: 'raise-priority' }> =>
        action.type === 'raise-priority',
    )
    .reduce((sum, action) => sum + action.by, 0);
  if (raisePriorityBy !== 0) {
    events.push(
      event('priority-raised', {
        step: due.key,
        by: raisePriorityBy,
        from: ticket.priorityScore,
        to: ticket.priorityScore + raisePriorityBy,
      }),
    );
  }
  const moveAction = timer.actions.find(
    (action): action is Extract<EscalationAction, { type: 'move-queue' }> => action.type === 'move-queue',
  );
  const moveTo = moveAction?.to;
  const holder = heldStatuses.includes(complaint.status) ? (ticket.agentId ?? null) : null;
  // An agent who has acknowledged the ticket is working it: a move takes it from them only when
  // the ladder says `force`; otherwise they keep it and the supervisor sees the step held back.
  const working = holder !== null && complaint.status !== 'claimed';
  const heldBack = working && moveAction !== undefined && moveAction.force !== true;
  const target =
    moveTo !== undefined && moveTo !== ticket.queue && !heldBack ? ctx.queueById(moveTo) : undefined;
  if (heldBack && moveTo !== ticket.queue) {
    events.push(event('queue-move-held', { step: due.key, to: moveTo, agentId: holder }));
  }
  let move: SlaFiring['move'];
  if (target) {
    const next = replan(sla);
    const moved: Partial<TicketState> = {
      queue: target.id,
      agentId: null,
      claimedAt: null,
      leaseExpiresAt: null,
      ...clockFields(next, target),
    };
    move = { ticket: moved, sla: { generation: next.generation, timersPending: true } };
    events.push(
      event('queue-moved', {
        step: due.key,
        from: ticket.queue,
        to: target.id,
        ...(holder ? { fromAgent: holder } : {}),
      }),
    );
  }
  for (const action of timer.actions) {
    if (action.type === 'notify') events.push(event('notify-queued', { step: due.key, url: action.url }));
  }
  return {
    outcome: 'fire',
    complaint,
    timer,
    guard: { status: complaint.status, generation: sla.generation },
    firing: {
      phase: due.phase,
      key: due.key,
      firedAt: now,
      events,
      raisePriorityBy,
      ...(move ? { move } : {}),
    },
    target,
    holder,
    step,
  };
}

/**
 * The notify actions of a fired step, as webhooks to send. Ids are deterministic (ticket, phase,
 * step, action), so a retried job re-sends nothing.
 */
export function slaNotifications(
  complaint: ComplaintRecord,
  timer: SlaTimer,
  firedAt: Date,
): NotifyRequest[] {
  const ticket = complaint.ticket;
  if (!ticket) return [];
  return timer.actions.flatMap((action, index) =>
    action.type === 'notify'
      ? [
          {
            id: `notify-${complaint._id}-${timer.phase}-${timer.key}-${index}`,
            complaintId: complaint._id,
            url: action.url,
            payload: {
              type: slaTimerKinds[timer.kind].event,
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
          },
        ]
      : [],
  );
}
