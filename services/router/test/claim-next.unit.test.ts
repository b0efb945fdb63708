import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import { actOnTicket } from '../src/domain/act-on-ticket';
import { claimNext } from '../src/domain/claim-next';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, LEASE_MS, NOW } from './fakes/fake-desk';

describe('claim next', () => {
  it('when an online agent with a free slot claims, then they get the best ticket of the queues they have the skills for, with a lease', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], capacity: 2 });
    desk.tickets.put(buildTicket('queued', { _id: 'low', ticket: { priorityScore: 10 } }));
    desk.tickets.put(buildTicket('queued', { _id: 'high', ticket: { priorityScore: 90 } }));
    desk.tickets.put(
      buildTicket('queued', { _id: 'other-queue', ticket: { queue: 'general', priorityScore: 99 } }),
    );

    const ticket = await claimNext(desk.deps, 'ann', 'req-1');

    expect(ticket?._id).toBe('high');
    expect(ticket?.status).toBe('claimed');
    expect(ticket?.ticket).toMatchObject({
      agentId: 'ann',
      claimedAt: NOW,
      leaseExpiresAt: new Date(NOW.getTime() + LEASE_MS),
    });
    expect(ticket?.events.at(-1)).toMatchObject({
      type: 'claimed',
      actor: 'agent:ann',
      requestId: 'req-1',
      data: { agentId: 'ann' },
    });
    expect(desk.timers.leases).toEqual([
      { complaintId: 'high', agentId: 'ann', until: new Date(NOW.getTime() + LEASE_MS) },
    ]);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
  });

  it('when the best ticket needs a skill of its own the agent lacks, then they get the best one they can serve', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], capacity: 2 });
    desk.agents.put({ _id: 'li', skills: ['billing', 'zh'], capacity: 2 });
    desk.tickets.put(
      buildTicket('queued', { _id: 'chinese', ticket: { priorityScore: 90, skills: ['zh'] } }),
    );
    desk.tickets.put(buildTicket('queued', { _id: 'plain', ticket: { priorityScore: 10 } }));

    expect((await claimNext(desk.deps, 'ann', undefined))?._id).toBe('plain');
    expect(await claimNext(desk.deps, 'ann', undefined)).toBeNull();
    expect((await claimNext(desk.deps, 'li', undefined))?._id).toBe('chinese');
  });

  it('when no ticket waits in the agent’s queues, then the claim answers nothing and gives the slot back', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], capacity: 2 });
    desk.tickets.put(buildTicket('queued', { ticket: { queue: 'general' } }));

    expect(await claimNext(desk.deps, 'ann', undefined)).toBeNull();
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
  });

  it('when the agent is offline, unknown or at capacity, then the claim is refused and no slot is taken', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'off', skills: ['billing'], online: false });
    desk.agents.put({
      _id: 'full',
      skills: ['billing'],
      capacity: 1,
      activeTickets: 1,
      activeTicketsChangedAt: NOW,
    });
    desk.tickets.put(buildTicket('queued'));

    await expect(claimNext(desk.deps, 'off', undefined)).rejects.toThrow(ConflictError);
    await expect(claimNext(desk.deps, 'nobody', undefined)).rejects.toThrow(NotFoundError);
    await expect(claimNext(desk.deps, 'full', undefined)).rejects.toThrow(
      'Agent full is at capacity (1 of 1',
    );
    expect((await desk.agents.findById('off'))?.activeTickets).toBe(0);
    expect((await desk.agents.findById('full'))?.activeTickets).toBe(1);
    expect((await desk.tickets.findById('c-1'))?.status).toBe('queued');
  });

  it('when a full counter has been quiet and the agent holds fewer tickets, then it is corrected and the claim goes ahead', async () => {
    const desk = fakeDesk();
    desk.agents.put({
      _id: 'ann',
      skills: ['billing'],
      capacity: 2,
      activeTickets: 2,
      activeTicketsChangedAt: new Date(NOW.getTime() - 60_000),
    });
    desk.tickets.put(buildTicket('in_progress', { _id: 'held' }));
    desk.tickets.put(buildTicket('queued', { _id: 'waiting' }));

    const ticket = await claimNext(desk.deps, 'ann', undefined);

    expect(ticket?._id).toBe('waiting');
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(2);
    expect(desk.warnings).toEqual(['agent capacity counter corrected']);
  });

  it('when the lease timer cannot be scheduled, then the claim still stands and the failure is logged', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'] });
    desk.tickets.put(buildTicket('queued'));
    desk.timers.leaseQueueDown = true;

    const ticket = await claimNext(desk.deps, 'ann', undefined);

    expect(ticket?.status).toBe('claimed');
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
    expect(desk.warnings).toEqual(['could not schedule the lease timer']);
  });

  it('when another tab of the agent has resolved a ticket but not yet given its slot back, then a claim at capacity waits for that release rather than correcting the counter', async () => {
    const desk = fakeDesk();
    desk.agents.put({
      _id: 'ann',
      skills: ['billing'],
      capacity: 2,
      activeTickets: 2,
      activeTicketsChangedAt: new Date(NOW.getTime() - 60_000),
    });
    desk.tickets.put(buildTicket('in_progress', { _id: 'kept' }));
    desk.tickets.put(buildTicket('in_progress', { _id: 'done' }));
    desk.tickets.put(buildTicket('queued', { _id: 'waiting' }));
    // The claim comes in the window between the resolve's ticket write and its slot release.
    const release = desk.agents.release.bind(desk.agents);
    let claim: Promise<unknown> | undefined;
    desk.agents.release = async (id) => {
      claim = claimNext(desk.deps, 'ann', undefined).catch((error: unknown) => error);
      await claim;
      return release(id);
    };

    await actOnTicket(desk.deps, 'done', 'resolve', { agentId: 'ann', label: 'agent:ann' });

    expect(await claim).toBeInstanceOf(ConflictError);
    expect(await desk.tickets.countHeld('ann')).toBe(1);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
    expect((await claimNext(desk.deps, 'ann', undefined))?._id).toBe('waiting');
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(2);
  });
});
