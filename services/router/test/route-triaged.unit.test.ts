import { routeTriaged } from '../src/domain/route-triaged';
import { buildUnitComplaint, FIRST_RESPONSE_DUE } from './builders/ticket-builders';
import { fakeDesk } from './fakes/fake-desk';

describe('route a triaged complaint', () => {
  it('when a triaged complaint is routed, then it waits in its queue with a fresh clock and its timers are scheduled', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildUnitComplaint({ queue: 'billing' }));

    expect(await routeTriaged(desk.deps, 'c-1', 'req-1')).toBe('queued');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('queued');
    expect(stored?.ticket).toMatchObject({
      queue: 'billing',
      skills: [],
      priorityScore: 60,
      dueAt: FIRST_RESPONSE_DUE,
      warnAt: new Date('2026-03-02T10:00:00Z'),
      agentId: null,
      transferCount: 0,
      reopenCount: 0,
    });
    expect(stored?.ticket?.sla).toMatchObject({ phase: 'first-response', generation: 1 });
    expect(stored?.ticket?.sla?.timersPending).toBeUndefined();
    expect(stored?.events.map((event) => [event.type, event.actor, event.requestId])).toEqual([
      ['triaged', 'test', undefined],
      ['queued', 'router', 'req-1'],
    ]);
    expect(desk.timers.slaKeys('c-1', 1)).toEqual(['warning', 'breach', 'breach+30m']);
  });

  it('when the decision names a queue that no longer exists, then the complaint goes to the default queue', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildUnitComplaint({ queue: 'retired' }));

    await routeTriaged(desk.deps, 'c-1', undefined);

    expect((await desk.tickets.findById('c-1'))?.ticket?.queue).toBe('general');
    expect(desk.timers.slaKeys('c-1', 1)).toEqual(['warning', 'breach']);
  });

  it('when the route job is replayed, then the complaint is left as it is and its timers stay scheduled once', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildUnitComplaint());
    await routeTriaged(desk.deps, 'c-1', undefined);

    expect(await routeTriaged(desk.deps, 'c-1', undefined)).toBe('already-routed');

    expect((await desk.tickets.findById('c-1'))?.events.map((event) => event.type)).toEqual([
      'triaged',
      'queued',
    ]);
    expect(desk.timers.sla.size).toBe(3);
  });

  it('when the complaint does not exist or was never triaged, then routing says so and changes nothing', async () => {
    const desk = fakeDesk();
    desk.tickets.put({ ...buildUnitComplaint(), status: 'received', decision: undefined });

    expect(await routeTriaged(desk.deps, 'nope', undefined)).toBe('missing');
    expect(await routeTriaged(desk.deps, 'c-1', undefined)).toBe('not-triaged');
    expect(desk.timers.sla.size).toBe(0);
  });

  it('when a complaint lands in a push queue, then it is assigned at once to the least-loaded online agent with the skills', async () => {
    const desk = fakeDesk();
    desk.agents.put({ _id: 'busy', skills: ['fraud'], capacity: 5, activeTickets: 2 });
    desk.agents.put({ _id: 'idle', skills: ['fraud'], capacity: 5 });
    desk.agents.put({ _id: 'away', skills: ['fraud'], capacity: 5, online: false });
    desk.tickets.put(buildUnitComplaint({ queue: 'fraud' }));

    await routeTriaged(desk.deps, 'c-1', 'req-9');

    const stored = await desk.tickets.findById('c-1');
    expect(stored?.status).toBe('claimed');
    expect(stored?.ticket?.agentId).toBe('idle');
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'assigned',
      actor: 'router:push',
      requestId: 'req-9',
    });
    expect((await desk.agents.findById('idle'))?.activeTickets).toBe(1);
  });
});
