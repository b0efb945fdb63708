import { ConflictError, NotFoundError, ValidationError } from '@triage/shared/kernel';
import { completeFollowUp, fireFollowUp, promiseFollowUp } from '../src/domain/follow-ups';
import { maintenanceSweep } from '../src/domain/maintenance-sweep';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';

const MINUTE = 60_000;
const ann = { agentId: 'ann', label: 'agent:ann' };

/** Ann, who holds c-1, promises something due `minutes` after the unit tests' clock start. */
function promiseIn(desk: ReturnType<typeof fakeDesk>, minutes: number, note: string) {
  return promiseFollowUp(
    desk.deps,
    'c-1',
    ann,
    { dueAt: new Date(NOW.getTime() + minutes * MINUTE), note },
    undefined,
  );
}

describe('follow-up promises', () => {
  it('when the holder promises a call-back, then it is stored pending with a reminder 15 minutes ahead and both timers scheduled', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    const dueAt = new Date(NOW.getTime() + 60 * MINUTE);

    const { followUp, ticket } = await promiseFollowUp(
      desk.deps,
      'c-1',
      ann,
      { dueAt, note: '周五前回电确认退款 / call back by Friday about the refund' },
      'req-1',
    );

    expect(followUp).toMatchObject({
      status: 'pending',
      dueAt,
      remindAt: new Date(dueAt.getTime() - 15 * MINUTE),
      createdBy: 'agent:ann',
      agentId: 'ann',
      createdAt: NOW,
    });
    expect(ticket.followUps).toEqual([followUp]);
    expect(ticket.events.at(-1)).toMatchObject({ type: 'follow-up.promised', requestId: 'req-1' });
    expect(desk.timers.followUps.get(`c-1-${followUp.id}-remind`)).toEqual(followUp.remindAt);
    expect(desk.timers.followUps.get(`c-1-${followUp.id}-due`)).toEqual(dueAt);
  });

  it('when the promise is due sooner than the reminder lead, then the reminder is now, not in the past', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    const { followUp } = await promiseIn(desk, 5, 'soon');
    expect(followUp.remindAt).toEqual(NOW);
  });

  it('when someone other than the holder, a missing ticket, a closed ticket or a past time is given, then it is refused and nothing is stored', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    desk.tickets.put(buildTicket('closed', { _id: 'c-closed' }));
    const inAnHour = { dueAt: new Date(NOW.getTime() + 60 * MINUTE), note: 'x' };
    const bo = { agentId: 'bo', label: 'agent:bo' };
    await expect(promiseFollowUp(desk.deps, 'c-1', bo, inAnHour, undefined)).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(promiseFollowUp(desk.deps, 'nope', ann, inAnHour, undefined)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      promiseFollowUp(desk.deps, 'c-closed', { label: 'admin:root' }, inAnHour, undefined),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      promiseFollowUp(desk.deps, 'c-1', ann, { dueAt: new Date(NOW.getTime() - 1), note: 'x' }, undefined),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await desk.tickets.findById('c-1'))?.followUps).toBeUndefined();
    expect(desk.timers.followUps.size).toBe(0);
  });

  it('when the reminder and due timers fire (twice each), then it is reminded once and missed once, with a notification only where the queue names one', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    const { followUp } = await promiseIn(desk, 60, 'call back');
    expect(await fireFollowUp(desk.deps, 'c-1', followUp.id, 'remind')).toBe('reminded');
    expect(await fireFollowUp(desk.deps, 'c-1', followUp.id, 'remind')).toBe('settled');
    desk.clock.advance(60 * MINUTE);
    expect(await fireFollowUp(desk.deps, 'c-1', followUp.id, 'due')).toBe('missed');
    expect(await fireFollowUp(desk.deps, 'c-1', followUp.id, 'due')).toBe('settled');
    const stored = await desk.tickets.findById('c-1');
    expect(stored?.followUps?.[0]).toMatchObject({ status: 'missed', remindedAt: NOW });
    expect(stored?.events.map((event) => event.type)).toEqual([
      'follow-up.promised',
      'follow-up.reminder',
      'follow-up.missed',
    ]);
    // The unit tests' billing queue has no follow-up policy: no webhook.
    expect(desk.timers.notifications.size).toBe(0);
    expect(await fireFollowUp(desk.deps, 'c-1', 'no-such-promise', 'due')).toBe('missing');
  });

  it('when a promise is done in time, late, or twice, then kept, missed with the time done, and unchanged', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    const promise = (minutes: number) =>
      promiseFollowUp(
        desk.deps,
        'c-1',
        ann,
        { dueAt: new Date(desk.clock.now().getTime() + minutes * MINUTE), note: 'x' },
        undefined,
      );
    const onTime = (await promise(30)).followUp;
    const late = (await promise(10)).followUp;
    desk.clock.advance(20 * MINUTE);

    const kept = await completeFollowUp(desk.deps, 'c-1', onTime.id, ann, 'called', undefined);
    expect(kept.followUp).toMatchObject({ status: 'kept', doneBy: 'agent:ann', doneNote: 'called' });
    expect(desk.timers.followUps.has(`c-1-${onTime.id}-due`)).toBe(false);
    const lateDone = await completeFollowUp(desk.deps, 'c-1', late.id, ann, undefined, undefined);
    expect(lateDone.followUp).toMatchObject({
      status: 'missed',
      missedAt: late.dueAt,
      doneAt: desk.clock.now(),
    });
    const again = await completeFollowUp(desk.deps, 'c-1', onTime.id, ann, 'twice', undefined);
    expect(again.followUp).toEqual(kept.followUp);
    await expect(
      completeFollowUp(
        desk.deps,
        'c-1',
        onTime.id,
        { agentId: 'bo', label: 'agent:bo' },
        undefined,
        undefined,
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('when a due timer was lost, then the sweep marks the overdue promise missed, once', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));
    const { followUp } = await promiseIn(desk, 10, 'x');
    desk.timers.followUps.clear();
    expect((await maintenanceSweep(desk.deps)).followUpsMissed).toBe(0);
    desk.clock.advance(11 * MINUTE);
    expect((await maintenanceSweep(desk.deps)).followUpsMissed).toBe(1);
    expect((await maintenanceSweep(desk.deps)).followUpsMissed).toBe(0);
    expect((await desk.tickets.findById('c-1'))?.followUps?.[0]).toMatchObject({
      id: followUp.id,
      status: 'missed',
    });
  });
});
