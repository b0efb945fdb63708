import type { EscalationAction, EscalationLadder, EscalationStep } from '@triage/rules';
import type { TicketSla } from '@triage/shared/complaint';

/*
 * The SLA clock of one ticket, as pure functions.
 *
 * A ticket is in the `first-response` phase until an agent acknowledges it, then in the
 * `resolution` phase. Each phase has a deadline from the triage decision; time spent waiting for
 * the customer (or resolved, until a reopen) is paused time and moves the deadlines by as much.
 * A queue's escalation ladder hangs timers off the deadline: the warning at `warningShare` of the
 * time from receipt to the deadline, the breach at the deadline, and steps N minutes after it.
 */

export type SlaPhase = TicketSla['phase'];
export type SlaTimerKind = 'warning' | 'breach' | 'escalation';

/** One timer of the ladder for the current phase. */
export interface SlaTimer {
  phase: SlaPhase;
  /** Stable within a phase: `warning`, `breach`, `breach+30m`, `breach+3s`, `breach+1500ms`. */
  key: string;
  kind: SlaTimerKind;
  dueAt: Date;
  actions: EscalationAction[];
}

const MINUTE_MS = 60_000;

/**
 * The key of a ladder step. It is a MongoDB field name (`ticket.sla.fired.<phase>.<key>`) and part
 * of a BullMQ job id, so it carries no dots, dollars or colons.
 */
export function stepKey(after: EscalationStep['after']): string {
  if (after === 'warning' || after === 'breach') return after;
  if (Number.isInteger(after)) return `breach+${after}m`;
  const seconds = after * 60;
  if (Number.isInteger(seconds)) return `breach+${seconds}s`;
  return `breach+${Math.round(after * MINUTE_MS)}ms`;
}

/** A fresh clock for a complaint received at `receivedAt` with the decision's deadlines. */
export function startSla(receivedAt: Date, firstResponseDueAt: Date, resolutionDueAt: Date): TicketSla {
  return {
    phase: 'first-response',
    generation: 1,
    startedAt: receivedAt,
    firstResponseDueAt,
    resolutionDueAt,
    pausedMs: 0,
    pausedAt: null,
    pauses: [],
    fired: {},
  };
}

function baseDeadline(sla: TicketSla): Date {
  return sla.phase === 'first-response' ? sla.firstResponseDueAt : sla.resolutionDueAt;
}

/** The current phase's deadline, paused time included. */
export function phaseDeadline(sla: TicketSla): Date {
  return new Date(baseDeadline(sla).getTime() + sla.pausedMs);
}

/** When the current phase's warning is due: `warningShare` of the way from receipt to the deadline. */
export function warningTime(sla: TicketSla, ladder: Pick<EscalationLadder, 'warningShare'>): Date {
  const start = sla.startedAt.getTime();
  const span = Math.max(0, baseDeadline(sla).getTime() - start);
  return new Date(start + Math.round(span * ladder.warningShare) + sla.pausedMs);
}

function actionsAt(ladder: EscalationLadder, after: EscalationStep['after']): EscalationAction[] {
  return ladder.steps.find((step) => step.after === after)?.actions ?? [];
}

/**
 * Every timer of the current phase that has not fired yet, soonest first. Empty while the clock
 * is paused: nothing escalates while the ticket waits for the customer.
 */
export function pendingTimers(sla: TicketSla, ladder: EscalationLadder): SlaTimer[] {
  if (sla.pausedAt) return [];
  const deadline = phaseDeadline(sla);
  const timers: SlaTimer[] = [
    {
      phase: sla.phase,
      key: 'warning',
      kind: 'warning',
      dueAt: warningTime(sla, ladder),
      actions: actionsAt(ladder, 'warning'),
    },
    {
      phase: sla.phase,
      key: 'breach',
      kind: 'breach',
      dueAt: deadline,
      actions: actionsAt(ladder, 'breach'),
    },
    ...ladder.steps
      .filter((step): step is EscalationStep & { after: number } => typeof step.after === 'number')
      .map((step) => ({
        phase: sla.phase,
        key: stepKey(step.after),
        kind: 'escalation' as const,
        dueAt: new Date(deadline.getTime() + Math.round(step.after * MINUTE_MS)),
        actions: step.actions,
      })),
  ];
  // Stored documents drop empty objects (minimize), so `fired` may be missing.
  const fired = sla.fired?.[sla.phase] ?? {};
  return timers
    .filter((timer) => fired[timer.key] === undefined)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** The timer a key names in the current phase (fired or not), or undefined when the ladder has no such step. */
export function timerFor(sla: TicketSla, ladder: EscalationLadder, key: string): SlaTimer | undefined {
  return pendingTimers({ ...sla, pausedAt: null, fired: {} }, ladder).find((timer) => timer.key === key);
}

/** Stops the clock (waiting for the customer, or resolved). */
export function pauseClock(sla: TicketSla, now: Date, reason: 'waiting_customer' | 'resolved'): TicketSla {
  return { ...sla, generation: sla.generation + 1, pausedAt: now, pausedFor: reason };
}

/** Restarts a paused clock; the paused span is recorded and moves the deadlines. */
export function resumeClock(sla: TicketSla, now: Date): TicketSla {
  if (!sla.pausedAt) return { ...sla, generation: sla.generation + 1 };
  const pausedFor = Math.max(0, now.getTime() - sla.pausedAt.getTime());
  return {
    ...sla,
    generation: sla.generation + 1,
    pausedMs: sla.pausedMs + pausedFor,
    pausedAt: null,
    pausedFor: null,
    pauses: [
      ...(sla.pauses ?? []),
      { from: sla.pausedAt, to: now, reason: sla.pausedFor ?? 'waiting_customer' },
    ],
  };
}

/** After the first response the resolution deadline governs. */
export function enterResolutionPhase(sla: TicketSla): TicketSla {
  if (sla.phase === 'resolution') return sla;
  return { ...sla, phase: 'resolution', generation: sla.generation + 1 };
}

/** A new plan for the timers (e.g. the ticket moved to a queue with another ladder). */
export function replan(sla: TicketSla): TicketSla {
  return { ...sla, generation: sla.generation + 1 };
}

/** Whether the current phase's deadline has passed (never while paused). */
export function isBreached(sla: TicketSla, now: Date): boolean {
  return !sla.pausedAt && phaseDeadline(sla).getTime() <= now.getTime();
}
