import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import { actOnTicket } from '../src/domain/act-on-ticket';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';

describe('a ticket action', () => {
  it('when the holder resolves their ticket, then it is resolved, their slot is freed and its SLA timers are cancelled', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('in_progress'));
    await desk.timers.scheduleSla('c-1', 1, [
      { phase: 'first-response', key: 'breach', kind: 'breach', dueAt: NOW, actions: [] },
    ]);

    const resolved = await actOnTicket(
      desk.deps,
      'c-1',
      'resolve',
      { agentId: 'ann', label: 'agent:ann' },
      { reason: 'refunded', requestId: 'req-2' },
    );

    expect(resolved.status).toBe('resolved');
    expect(resolved.events.at(-1)).toMatchObject({
      type: 'resolved',
      actor: 'agent:ann',
      requestId: 'req-2',
      data: { reason: 'refunded' },
    });
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(0);
    expect(desk.timers.sla.size).toBe(0);
  });

  it('when an agent acts on a ticket another agent holds, then it is refused and nothing changes', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));

    await expect(
      actOnTicket(desk.deps, 'c-1', 'resolve', { agentId: 'bob', label: 'agent:bob' }),
    ).rejects.toThrow('Ticket c-1 is held by another agent.');
    expect((await desk.tickets.findById('c-1'))?.status).toBe('in_progress');
  });

  it('when the action is not allowed from the ticket’s status, or there is no such ticket, then it is refused', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('queued'));

    await expect(actOnTicket(desk.deps, 'c-1', 'ack', { label: 'admin' })).rejects.toThrow(
      'Cannot ack a ticket that is queued (allowed from: claimed).',
    );
    await expect(actOnTicket(desk.deps, 'c-1', 'ack', { label: 'admin' })).rejects.toThrow(ConflictError);
    await expect(actOnTicket(desk.deps, 'nope', 'ack', { label: 'admin' })).rejects.toThrow(NotFoundError);
  });

  it('when the ticket changes between the read and the store, then the action is planned again from the new state', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('claimed'));
    // A heartbeat lands meanwhile: the first compare-and-set fails, the second succeeds.
    desk.tickets.loseNextRaces(1);

    const acknowledged = await actOnTicket(desk.deps, 'c-1', 'ack', { agentId: 'ann', label: 'agent:ann' });

    expect(acknowledged.status).toBe('in_progress');
    expect(acknowledged.ticket?.sla).toMatchObject({ phase: 'resolution', generation: 2 });
    expect(acknowledged.events.filter((event) => event.type === 'acknowledged')).toHaveLength(1);
    expect(desk.timers.slaKeys('c-1', 2)).toEqual(['warning', 'breach', 'breach+30m']);
  });

  it('when the ticket keeps changing, then the action gives up with a conflict after five attempts', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('claimed'));
    desk.tickets.loseNextRaces(5);

    await expect(actOnTicket(desk.deps, 'c-1', 'ack', { label: 'admin' })).rejects.toThrow(
      'Ticket c-1 kept changing; try again.',
    );
    expect((await desk.tickets.findById('c-1'))?.status).toBe('claimed');
  });

  it('when a held ticket is released, then it waits in its queue again and a push queue hands it to the next agent', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['fraud'], activeTickets: 1 });
    desk.agents.put({ _id: 'bob', skills: ['fraud'] });
    desk.agents.put({ _id: 'cy', skills: ['fraud'], activeTickets: 2 });
    desk.tickets.put(buildTicket('in_progress', { ticket: { queue: 'fraud' } }));

    await actOnTicket(desk.deps, 'c-1', 'release', { agentId: 'ann', label: 'agent:ann' });

    // ann's freed slot is offered push work first: she is as idle as bob now, and sorts first.
    const stored = await desk.tickets.findById('c-1');
    expect(stored?.events.map((event) => event.type)).toEqual(['released', 'assigned']);
    expect(stored?.ticket?.agentId).toBe('ann');
    expect((await desk.agents.findById('ann'))?.activeTickets).toBe(1);
    expect((await desk.agents.findById('bob'))?.activeTickets).toBe(0);
  });

  it('when a ticket is resolved with a resolution code, then its outcome is recorded in the customer history, once', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('in_progress'));
    const resolution = { code: 'explained', finalAnswer: true };

    const resolved = await actOnTicket(
      desk.deps,
      'c-1',
      'resolve',
      { agentId: 'ann', label: 'agent:ann' },
      { resolution },
    );
    await desk.deps.outcomes.record({
      complaintId: 'c-1',
      customerId: resolved.customer.id,
      category: 'billing',
      code: 'explained',
      finalAnswer: true,
      at: NOW,
    });

    expect(desk.outcomes.recorded).toEqual([
      {
        complaintId: 'c-1',
        customerId: resolved.customer.id,
        category: 'billing',
        code: 'explained',
        finalAnswer: true,
        at: NOW,
      },
    ]);
  });

  it('when the outcome cannot be recorded, then the ticket is resolved all the same and the failure is logged', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('in_progress'));
    desk.outcomes.failWith = new Error('mongo down');

    const resolved = await actOnTicket(
      desk.deps,
      'c-1',
      'resolve',
      { agentId: 'ann', label: 'agent:ann' },
      { resolution: { code: 'explained', finalAnswer: false } },
    );

    expect(resolved.status).toBe('resolved');
    expect((await desk.tickets.findById('c-1'))?.status).toBe('resolved');
    expect(desk.warnings.length).toBeGreaterThan(0);
  });

  it('when a ticket is resolved without a resolution code, then no outcome is recorded', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'ann', skills: ['billing'], activeTickets: 1 });
    desk.tickets.put(buildTicket('in_progress'));

    await actOnTicket(desk.deps, 'c-1', 'resolve', { agentId: 'ann', label: 'agent:ann' });

    expect(desk.outcomes.recorded).toEqual([]);
  });
});
