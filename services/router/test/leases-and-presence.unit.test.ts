import { ConflictError } from '@triage/shared/kernel';
import { expireLease } from '../src/domain/expire-lease';
import { renewLease } from '../src/domain/renew-lease';
import { agentChanged, setPresence } from '../src/domain/set-presence';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, LEASE_MS, NOW } from './fakes/fake-desk';

const expiredAt = new Date(NOW.getTime() - 1_000);

describe('leases and presence', () => {
  it('when a lease ran out, then the ticket goes back to its queue and the agent’s slot is freed', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('claimed', { ticket: { leaseExpiresAt: expiredAt } }));

    expect(await expireLease(desk.deps, 'c-1', 'ann')).toBe('expired');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('queued');
    expect(stored?.ticket).toMatchObject({ agentId: null, claimedAt: null, leaseExpiresAt: null });
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'lease-expired',
      actor: 'router:lease',
      data: { agentId: 'ann' },
    });
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
  });

  it('when the lease of an acknowledged ticket ran out, then it stays with its agent and the lapse is recorded once', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('in_progress', { ticket: { leaseExpiresAt: expiredAt } }));

    expect(await expireLease(desk.deps, 'c-1', 'ann')).toBe('lapsed');
    expect(await expireLease(desk.deps, 'c-1', 'ann')).toBe('stale');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('in_progress');
    expect(stored?.ticket).toMatchObject({ agentId: 'ann', leaseExpiresAt: null });
    expect(stored?.events.filter((event) => event.type === 'lease-lapsed')).toEqual([
      expect.objectContaining({ actor: 'router:lease', data: { agentId: 'ann' } }),
    ]);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
  });

  it('when heartbeats renewed the lease since the timer was set, then the ticket stays and the new expiry is watched', async () => {
    const desk = fakeDesk();
    const renewedUntil = new Date(NOW.getTime() + 60_000);
    desk.tickets.put(buildTicket('in_progress', { ticket: { leaseExpiresAt: renewedUntil } }));

    expect(await expireLease(desk.deps, 'c-1', 'ann')).toBe('renewed');

    expect((await desk.tickets.findById('c-1'))?.status).toBe('in_progress');
    expect(desk.timers.leases).toEqual([{ complaintId: 'c-1', agentId: 'ann', until: renewedUntil }]);
  });

  it('when the ticket was resolved or is held by someone else, then the lease timer is stale', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('resolved', { _id: 'done', ticket: { leaseExpiresAt: expiredAt } }));
    desk.tickets.put(
      buildTicket('claimed', { _id: 'bobs', ticket: { agentId: 'bob', leaseExpiresAt: expiredAt } }),
    );

    expect(await expireLease(desk.deps, 'done', 'ann')).toBe('stale');
    expect(await expireLease(desk.deps, 'bobs', 'ann')).toBe('stale');
    expect((await desk.tickets.findById('bobs'))?.status).toBe('claimed');
  });

  it('when the holder sends a heartbeat, then the lease runs a full lease time from now; another agent is refused', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('claimed', { ticket: { leaseExpiresAt: expiredAt } }));

    const renewed = await renewLease(desk.deps, 'c-1', { agentId: 'ann' });

    expect(renewed.ticket?.leaseExpiresAt).toEqual(new Date(NOW.getTime() + LEASE_MS));
    await expect(renewLease(desk.deps, 'c-1', { agentId: 'bob' })).rejects.toThrow(
      'Ticket c-1 is held by another agent.',
    );
  });

  it('when a ticket without a lease gets a heartbeat, then it is refused', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('waiting_customer'));

    await expect(renewLease(desk.deps, 'c-1', {})).rejects.toThrow(ConflictError);
    await expect(renewLease(desk.deps, 'c-1', {})).rejects.toThrow(
      'A waiting_customer ticket has no lease to renew.',
    );
  });

  it('when an agent goes offline, then the tickets they claimed but had not started go back and the started one stays', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 3 });
    desk.tickets.put(buildTicket('claimed', { _id: 'unstarted-1' }));
    desk.tickets.put(buildTicket('claimed', { _id: 'unstarted-2' }));
    desk.tickets.put(buildTicket('in_progress', { _id: 'started' }));

    const { agent, handedBack } = await setPresence(desk.deps, 'ann', false, 'req-3');

    expect(handedBack).toEqual(['unstarted-1', 'unstarted-2']);
    expect(agent).toMatchObject({ online: false, activeTickets: 1 });
    expect((await desk.tickets.findById('unstarted-1'))?.events.at(-1)).toMatchObject({
      type: 'handed-back',
      actor: 'router',
      requestId: 'req-3',
    });
    expect((await desk.tickets.findById('started'))?.status).toBe('in_progress');
  });

  it('when an agent comes online, then the push queues they may serve hand them waiting tickets', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['fraud'], capacity: 2, online: false });
    desk.tickets.put(buildTicket('queued', { _id: 'f-1', ticket: { queue: 'fraud' } }));
    desk.tickets.put(buildTicket('queued', { _id: 'f-2', ticket: { queue: 'fraud' } }));
    desk.tickets.put(buildTicket('queued', { _id: 'f-3', ticket: { queue: 'fraud' } }));

    const { agent, handedBack } = await setPresence(desk.deps, 'ann', true);

    expect(handedBack).toEqual([]);
    expect(agent).toMatchObject({ online: true, activeTickets: 2 });
    expect(await desk.tickets.claimedBy('ann')).toHaveLength(2);
    expect((await desk.tickets.findById('f-3'))?.status).toBe('queued');
  });

  it('when an agent’s profile is saved as offline, then their unstarted tickets are handed back', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1, online: false });
    desk.tickets.put(buildTicket('claimed'));

    const agent = await desk.agents.findById('ann');
    expect(await agentChanged(desk.deps, agent!)).toEqual(['c-1']);
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
  });
});
