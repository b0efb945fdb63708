import { fireSlaTimer } from '../src/domain/fire-sla-timer';
import type { SlaTimerDue } from '../src/domain/plan-sla-step';
import { buildTicket, FIRST_RESPONSE_DUE } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';
import { FakeTimers } from './fakes/fake-timers';

const warningDue: SlaTimerDue = {
  complaintId: 'c-1',
  generation: 1,
  phase: 'first-response',
  key: 'warning',
  dueAt: NOW,
};
const escalationDue: SlaTimerDue = {
  ...warningDue,
  key: 'breach+30m',
  dueAt: new Date(FIRST_RESPONSE_DUE.getTime() + 30 * 60_000),
};

describe('an SLA step', () => {
  it('when a warning comes due, then it is recorded once and its webhook queued once, however often the timer fires', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('queued'));

    expect(await fireSlaTimer(desk.deps, warningDue)).toBe('fired');
    expect(await fireSlaTimer(desk.deps, warningDue)).toBe('already-fired');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.ticket?.sla?.fired).toEqual({ 'first-response': { warning: NOW } });
    expect(stored?.events.map((event) => event.type)).toEqual(['sla.warning', 'notify-queued']);
    expect([...desk.timers.notifications.keys()]).toEqual(['notify-c-1-first-response-warning-0']);
    expect(desk.infos).toEqual(['sla timer fired']);
  });

  it('when the escalation step moves a claimed ticket not yet acknowledged, then the holder is freed, the new generation’s timers replace the old and a senior agent gets it', async () => {
    const desk = fakeDesk();
    desk.clock.advance(90 * 60_000);
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.agents.put({ _id: 'sam', skills: ['senior'] });
    desk.tickets.put(buildTicket('claimed', { ticket: { priorityScore: 80 } }));
    await desk.timers.scheduleSla('c-1', 1, [
      {
        phase: 'first-response',
        key: 'breach+30m',
        kind: 'escalation',
        dueAt: escalationDue.dueAt,
        actions: [],
      },
    ]);

    expect(await fireSlaTimer(desk.deps, escalationDue)).toBe('fired');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('claimed');
    expect(stored?.ticket).toMatchObject({ queue: 'escalations', agentId: 'sam', priorityScore: 90 });
    expect(stored?.events.map((event) => event.type)).toEqual([
      'sla.escalated',
      'priority-raised',
      'queue-moved',
      'assigned',
    ]);
    expect(stored?.ticket?.sla?.generation).toBe(2);
    expect(stored?.ticket?.sla?.timersPending).toBeUndefined();
    expect(desk.timers.sla.has(FakeTimers.slaId('c-1', 1, escalationDue))).toBe(false);
    expect(desk.timers.slaKeys('c-1', 2)).toEqual(['warning', 'breach']);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
    expect((await desk.agents.findById('sam'))?.activeTickets).toBe(1);
  });

  it('when the ticket changes between the read and the store, then the step is planned again and fires once', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('queued'));
    // Meanwhile an agent claims the ticket: the stored step must name the new status.
    desk.tickets.loseNextRaces(1, (doc) => {
      doc.status = 'claimed';
      doc.ticket!.agentId = 'bob';
    });

    expect(await fireSlaTimer(desk.deps, warningDue)).toBe('fired');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('claimed');
    expect(stored?.events.filter((event) => event.type === 'sla.warning')).toHaveLength(1);
  });

  it('when the timer is of an older clock generation, or the ticket is gone, then nothing is recorded', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('queued'));

    expect(await fireSlaTimer(desk.deps, { ...warningDue, generation: 0 })).toBe('stale');
    expect(await fireSlaTimer(desk.deps, { ...warningDue, complaintId: 'gone' })).toBe('missing');
    expect((await desk.tickets.findById('c-1'))?.events).toEqual([]);
    expect(desk.timers.notifications.size).toBe(0);
  });
});
