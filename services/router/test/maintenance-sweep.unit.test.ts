import { actOnTicket } from '../src/domain/act-on-ticket';
import { maintenanceSweep, type SweepResult } from '../src/domain/maintenance-sweep';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

describe('the maintenance sweep', () => {
  it('when a lease timer was lost, then the sweep returns the ticket once its lease is overdue by the grace period', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 2 });
    desk.tickets.put(buildTicket('claimed', { _id: 'overdue', ticket: { leaseExpiresAt: minutesAgo(1) } }));
    desk.tickets.put(
      buildTicket('claimed', {
        _id: 'just-now',
        ticket: { leaseExpiresAt: new Date(NOW.getTime() - 1_000) },
      }),
    );

    const result = await maintenanceSweep(desk.deps);

    expect(result).toEqual({
      leasesExpired: 1,
      timersPlanned: 0,
      indexRepaired: 0,
      pushed: 0,
      countersCorrected: 0,
      followUpsMissed: 0,
      fatalQaOffered: 0,
    });
    expect((await desk.tickets.findById('overdue'))?.status).toBe('queued');
    expect((await desk.tickets.findById('just-now'))?.status).toBe('claimed');
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
  });

  it('when a crash left a clock generation without timers, then the sweep schedules them and clears the marker', async () => {
    const desk = fakeDesk();
    const unscheduled = buildTicket('queued', { updatedAt: minutesAgo(1) });
    unscheduled.ticket!.sla!.timersPending = true;
    desk.tickets.put(unscheduled);
    const fresh = buildTicket('queued', { _id: 'fresh', updatedAt: NOW });
    fresh.ticket!.sla!.timersPending = true;
    desk.tickets.put(fresh);

    const result = await maintenanceSweep(desk.deps);

    expect(result.timersPlanned).toBe(1);
    expect(desk.timers.slaKeys('c-1', 1)).toEqual(['warning', 'breach', 'breach+30m']);
    expect((await desk.tickets.findById('c-1'))?.ticket?.sla?.timersPending).toBeUndefined();
    expect((await desk.tickets.findById('fresh'))?.ticket?.sla?.timersPending).toBe(true);
    expect(desk.warnings).toEqual(['SLA timers scheduled by the sweep']);
  });

  it('when the claim index needed repairs, then the sweep counts them; and waiting push tickets are assigned', async () => {
    const desk = fakeDesk();
    desk.tickets.repairToReport = { added: 2, fixed: 1, removed: 1 };
    desk.agents.put({ _id: 'fay', skills: ['fraud'], capacity: 5 });
    desk.tickets.put(buildTicket('queued', { _id: 'f-1', ticket: { queue: 'fraud' } }));
    desk.tickets.put(buildTicket('queued', { _id: 'f-2', ticket: { queue: 'fraud' } }));
    desk.tickets.put(buildTicket('queued', { _id: 'g-1', ticket: { queue: 'general' } }));

    const result = await maintenanceSweep(desk.deps);

    expect(result).toEqual({
      leasesExpired: 0,
      timersPlanned: 0,
      indexRepaired: 4,
      pushed: 2,
      countersCorrected: 0,
      followUpsMissed: 0,
      fatalQaOffered: 0,
    });
    expect(desk.tickets.reconciliations).toBe(1);
    expect(await desk.tickets.claimedBy('fay')).toEqual(['f-1', 'f-2']);
    expect((await desk.tickets.findById('g-1'))?.status).toBe('queued');
    expect(desk.warnings).toEqual(['claim index repaired from the stored tickets']);
  });

  it('when an agent\u2019s counter has stayed above the tickets they hold (a process killed between reserve and claim), then the sweep sets it to the truth, but leaves a counter that just moved', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', activeTickets: 2, activeTicketsChangedAt: minutesAgo(5) });
    desk.agents.put({ _id: 'bo', activeTickets: 1, activeTicketsChangedAt: NOW });
    desk.agents.put({ _id: 'cy', activeTickets: 1, activeTicketsChangedAt: minutesAgo(5) });
    desk.tickets.put(buildTicket('in_progress', { _id: 'held-by-cy', ticket: { agentId: 'cy' } }));

    const result = await maintenanceSweep(desk.deps);

    expect(result.countersCorrected).toBe(1);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
    expect((await desk.agents.findById('bo'))?.activeTickets).toBe(1);
    expect((await desk.agents.findById('cy'))?.activeTickets).toBe(1);
  });

  it('when a resolve has stored the ticket but not yet given the slot back, then the sweep leaves the counter to that release (never below the tickets held)', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', capacity: 3, activeTickets: 2, activeTicketsChangedAt: minutesAgo(5) });
    desk.tickets.put(buildTicket('in_progress', { _id: 'kept', updatedAt: minutesAgo(5) }));
    desk.tickets.put(buildTicket('in_progress', { _id: 'done', updatedAt: minutesAgo(5) }));
    // The sweep runs in the window between the resolve's ticket write and its slot release.
    const release = desk.agents.release.bind(desk.agents);
    let sweep: SweepResult | undefined;
    desk.agents.release = async (id) => {
      sweep = await maintenanceSweep(desk.deps);
      return release(id);
    };

    await actOnTicket(desk.deps, 'done', 'resolve', { agentId: 'ann', label: 'agent:ann' });

    expect(sweep?.countersCorrected).toBe(0);
    expect(await desk.tickets.countHeld('ann')).toBe(1);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
  });

  it('when a process died between resolving and releasing, then the sweep corrects the counter once the tickets too have been quiet', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', activeTickets: 1, activeTicketsChangedAt: minutesAgo(5) });
    desk.tickets.put(
      buildTicket('resolved', { _id: 'resolved-then-crash', updatedAt: NOW, ticket: { agentId: 'ann' } }),
    );

    expect((await maintenanceSweep(desk.deps)).countersCorrected).toBe(0);
    desk.clock.advance(31_000);
    expect((await maintenanceSweep(desk.deps)).countersCorrected).toBe(1);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
  });
});
