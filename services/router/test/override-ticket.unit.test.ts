import { ConflictError, ValidationError } from '@triage/shared/kernel';
import { overrideTicket, planOverride } from '../src/domain/override-ticket';
import { planTimers } from '../src/domain/plan-timers';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk } from './fakes/fake-desk';

describe('a supervisor override', () => {
  it('when the plan is made, then severity goes on the decision, the score on the ticket, the clock gets a new generation and the deadlines stay', () => {
    const ticket = buildTicket('queued');
    const patch = planOverride(ticket, { severity: 'critical', priorityScore: 95, reason: 'press' });

    expect(patch).toEqual({
      status: 'queued',
      decision: { severity: 'critical' },
      ticket: { priorityScore: 95 },
      sla: { generation: (ticket.ticket?.sla?.generation ?? 0) + 1, timersPending: true },
      event: {
        type: 'overridden',
        data: {
          from: { severity: 'high', priorityScore: 60 },
          to: { severity: 'critical', priorityScore: 95 },
          reason: 'press',
        },
      },
    });
  });

  it('when only the score is overridden, then the decision is left alone and the event names the score only', () => {
    const patch = planOverride(buildTicket('in_progress'), { priorityScore: 10, reason: 'can wait' });

    expect(patch.decision).toBeUndefined();
    expect(patch.status).toBe('in_progress');
    expect(patch.event.data).toEqual({
      from: { priorityScore: 60 },
      to: { priorityScore: 10 },
      reason: 'can wait',
    });
  });

  it('when neither severity nor score is given, then the plan is refused', () => {
    expect(() => planOverride(buildTicket('queued'), { reason: 'nothing' })).toThrow(ValidationError);
  });

  it('when a held ticket is overridden, then it is stored guarded, its old timers are dropped and the ladder is planned anew', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('claimed'));
    const before = (await desk.tickets.findById('c-1'))!;
    await planTimers(desk.deps, before);
    const generation = before.ticket!.sla!.generation;
    expect(desk.timers.slaKeys('c-1', generation).length).toBeGreaterThan(0);

    const updated = await overrideTicket(
      desk.deps,
      'c-1',
      { severity: 'low', reason: 'customer withdrew' },
      { actor: 'supervisor:sofia', requestId: 'req-9' },
    );

    expect(updated).toMatchObject({ status: 'claimed', decision: { severity: 'low' } });
    expect(updated.ticket).toMatchObject({ agentId: 'ann', priorityScore: 60 });
    expect(updated.events.at(-1)).toMatchObject({
      type: 'overridden',
      actor: 'supervisor:sofia',
      requestId: 'req-9',
      data: { reason: 'customer withdrew' },
    });
    expect(desk.timers.slaKeys('c-1', generation)).toEqual([]);
    expect(desk.timers.slaKeys('c-1', generation + 1)).toEqual(expect.arrayContaining(['warning', 'breach']));
  });

  it('when the ticket is resolved or closed, then 409 and nothing changes', async () => {
    for (const status of ['resolved', 'closed'] as const) {
      const desk = fakeDesk();
      desk.tickets.put(buildTicket(status));
      await expect(
        overrideTicket(desk.deps, 'c-1', { severity: 'low', reason: 'x' }, { actor: 'supervisor:sofia' }),
      ).rejects.toThrow(ConflictError);
      expect((await desk.tickets.findById('c-1'))?.events).toEqual([]);
    }
  });
});
