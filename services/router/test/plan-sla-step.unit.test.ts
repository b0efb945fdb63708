import type { ComplaintRecord } from '@triage/shared/complaint';
import type { QueueDefinition } from '@triage/rules';
import { pendingTimers } from '../src/domain/sla-clock';
import { planSlaStep, slaNotifications, type SlaTimerDue } from '../src/domain/plan-sla-step';
import { slaTimerKindOf } from '../src/domain/sla-timer-kinds';
import { buildTicket, FIRST_RESPONSE_DUE } from './builders/ticket-builders';
import { testQueues } from './fakes/fake-desk';

const queueById = (id: string) => testQueues.find((queue) => queue.id === id);
const at = (iso: string) => new Date(`2026-03-02T${iso}Z`);
const due = (key: string, dueAt: Date, overrides: Partial<SlaTimerDue> = {}): SlaTimerDue => ({
  complaintId: 'c-1',
  generation: 1,
  phase: 'first-response',
  key,
  dueAt,
  ...overrides,
});

/** The plan of a step that fires (the test fails if it does not). */
function firing(ticket: ComplaintRecord, timer: SlaTimerDue, now: Date, byId = queueById) {
  const plan = planSlaStep(ticket, timer, { now, queueById: byId });
  if (plan.outcome !== 'fire') throw new Error(`expected the step to fire, got ${plan.outcome}`);
  return plan;
}

describe('the SLA step plan', () => {
  it('when the warning of a waiting ticket comes due, then it records sla.warning with how late it ran and queues the warning hook', () => {
    const plan = firing(buildTicket('queued'), due('warning', at('10:00:00')), at('10:00:02'));

    expect(plan.guard).toEqual({ status: 'queued', generation: 1 });
    expect(plan.firing.events.map((event) => event.type)).toEqual(['sla.warning', 'notify-queued']);
    expect(plan.firing.events[0]).toMatchObject({
      actor: 'router:sla',
      at: at('10:00:02'),
      data: {
        phase: 'first-response',
        step: 'warning',
        queue: 'billing',
        dueAt: at('10:00:00'),
        lateMs: 2000,
      },
    });
    expect(plan.firing.events[1]?.data).toEqual({ step: 'warning', url: 'https://hooks.example/warning' });
    expect(plan.firing).toMatchObject({ phase: 'first-response', key: 'warning', raisePriorityBy: 0 });
    expect(plan.firing.move).toBeUndefined();
    expect(plan.target).toBeUndefined();
  });

  it('when the breach comes due, then sla.breached is recorded and the priority rises by the step’s 20 points', () => {
    const plan = firing(buildTicket('in_progress'), due('breach', FIRST_RESPONSE_DUE), at('11:00:00'));

    expect(plan.firing.events.map((event) => event.type)).toEqual([
      'sla.breached',
      'priority-raised',
      'notify-queued',
    ]);
    expect(plan.firing.events[1]?.data).toEqual({ step: 'breach', by: 20, from: 60, to: 80 });
    expect(plan.firing.raisePriorityBy).toBe(20);
    expect(plan.holder).toBe('ann');
  });

  it('when the step 30 minutes after the breach comes due on a held ticket, then the ticket moves to the escalations queue off its holder with a new clock generation', () => {
    const plan = firing(buildTicket('claimed'), due('breach+30m', at('11:30:00')), at('11:30:00'));

    expect(plan.firing.events.map((event) => event.type)).toEqual([
      'sla.escalated',
      'priority-raised',
      'queue-moved',
    ]);
    expect(plan.firing.events[2]?.data).toEqual({
      step: 'breach+30m',
      from: 'billing',
      to: 'escalations',
      fromAgent: 'ann',
    });
    expect(plan.firing.move).toEqual({
      ticket: {
        queue: 'escalations',
        agentId: null,
        claimedAt: null,
        leaseExpiresAt: null,
        dueAt: FIRST_RESPONSE_DUE,
        warnAt: at('10:00:00'),
      },
      sla: { generation: 2, timersPending: true },
    });
    expect(plan.firing.raisePriorityBy).toBe(10);
    expect(plan.target?.id).toBe('escalations');
    expect(plan.holder).toBe('ann');
  });

  it('when the move step comes due on a ticket its agent is working, then the agent keeps it and the held-back move is recorded for the supervisor', () => {
    const plan = firing(buildTicket('in_progress'), due('breach+30m', at('11:30:00')), at('11:30:00'));

    expect(plan.firing.events.map((event) => event.type)).toEqual([
      'sla.escalated',
      'priority-raised',
      'queue-move-held',
    ]);
    expect(plan.firing.events[2]?.data).toEqual({ step: 'breach+30m', to: 'escalations', agentId: 'ann' });
    expect(plan.firing.move).toBeUndefined();
    expect(plan.target).toBeUndefined();
  });

  it('when the ladder says force, then even a ticket its agent is working moves', () => {
    const forced = (id: string) => {
      const queue = queueById(id);
      if (!queue || id !== 'billing') return queue;
      return {
        ...queue,
        escalation: {
          ...queue.escalation,
          steps: queue.escalation.steps.map((step) => ({
            ...step,
            actions: step.actions.map((action) =>
              action.type === 'move-queue' ? { ...action, force: true } : action,
            ),
          })),
        },
      };
    };
    const plan = firing(
      buildTicket('in_progress'),
      due('breach+30m', at('11:30:00')),
      at('11:30:00'),
      forced,
    );

    expect(plan.firing.events.map((event) => event.type)).toContain('queue-moved');
    expect(plan.target?.id).toBe('escalations');
    expect(plan.firing.move?.ticket).toMatchObject({ queue: 'escalations', agentId: null });
  });

  it('when each step of the escalation ladder comes due in turn, then each records the event of its kind', () => {
    const ticket = buildTicket('queued');
    const ladder = queueById('billing')?.escalation ?? { warningShare: 0.5, steps: [] };
    const timers = pendingTimers(ticket.ticket!.sla!, ladder);

    const recorded = timers.map((timer) => {
      const plan = planSlaStep(ticket, due(timer.key, timer.dueAt), { now: timer.dueAt, queueById });
      return plan.outcome === 'fire' ? [timer.key, plan.firing.events[0]?.type] : [timer.key, plan.outcome];
    });

    expect(recorded).toEqual([
      ['warning', 'sla.warning'],
      ['breach', 'sla.breached'],
      ['breach+30m', 'sla.escalated'],
    ]);
    expect(timers.map((timer) => slaTimerKindOf(timer.key))).toEqual(['warning', 'breach', 'escalation']);
  });

  it('when a move-queue step names the queue the ticket is already in, then the ticket stays and no move is recorded', () => {
    const selfMove: QueueDefinition = {
      id: 'billing',
      name: 'Billing',
      skills: [],
      mode: 'pull',
      escalation: {
        warningShare: 0.5,
        steps: [{ after: 'breach', actions: [{ type: 'move-queue', to: 'billing' }] }],
      },
    };
    const plan = firing(
      buildTicket('queued'),
      due('breach', FIRST_RESPONSE_DUE),
      at('11:00:00'),
      () => selfMove,
    );

    expect(plan.firing.events.map((event) => event.type)).toEqual(['sla.breached']);
    expect(plan.firing.move).toBeUndefined();
  });

  it('when the step already fired, then the plan says so with the time it fired', () => {
    const firedAt = at('10:00:01');
    const ticket = buildTicket('queued');
    ticket.ticket!.sla!.fired = { 'first-response': { warning: firedAt } };

    expect(
      planSlaStep(ticket, due('warning', at('10:00:00')), { now: at('10:05:00'), queueById }),
    ).toMatchObject({
      outcome: 'already-fired',
      firedAt,
      timer: { key: 'warning', kind: 'warning' },
    });
  });

  it('when the timer belongs to another generation, phase or step, or the clock is stopped, then the plan is stale; without a ticket, missing', () => {
    const ctx = { now: at('10:00:00'), queueById };
    const paused = buildTicket('waiting_customer');
    paused.ticket!.sla!.pausedAt = at('09:30:00');

    expect(
      planSlaStep(buildTicket('queued'), due('warning', at('10:00:00'), { generation: 2 }), ctx).outcome,
    ).toBe('stale');
    expect(
      planSlaStep(buildTicket('queued'), due('warning', at('10:00:00'), { phase: 'resolution' }), ctx)
        .outcome,
    ).toBe('stale');
    expect(planSlaStep(buildTicket('queued'), due('breach+5m', at('11:05:00')), ctx).outcome).toBe('stale');
    expect(planSlaStep(paused, due('warning', at('10:00:00')), ctx).outcome).toBe('stale');
    expect(planSlaStep(buildTicket('resolved'), due('warning', at('10:00:00')), ctx).outcome).toBe('stale');
    expect(planSlaStep(null, due('warning', at('10:00:00')), ctx).outcome).toBe('missing');
    expect(
      planSlaStep({ ...buildTicket('queued'), ticket: undefined }, due('warning', at('10:00:00')), ctx),
    ).toEqual({
      outcome: 'missing',
    });
  });

  it('when a fired step has a notify action, then one webhook goes out with a deterministic id and the kind’s event type', () => {
    const ticket = buildTicket('in_progress');
    const plan = firing(ticket, due('breach', FIRST_RESPONSE_DUE), at('11:00:00'));

    expect(slaNotifications(ticket, plan.timer, at('11:00:00'))).toEqual([
      {
        id: 'notify-c-1-first-response-breach-1',
        complaintId: 'c-1',
        url: 'https://hooks.example/breach',
        payload: {
          type: 'sla.breached',
          complaintId: 'c-1',
          phase: 'first-response',
          step: 'breach',
          dueAt: '2026-03-02T11:00:00.000Z',
          firedAt: '2026-03-02T11:00:00.000Z',
          queue: 'billing',
          status: 'in_progress',
          agentId: 'ann',
          priorityScore: 60,
          severity: 'high',
          customerTier: 'gold',
        },
      },
    ]);
  });
});
