import { type QueueDefinition } from '@triage/rules';
import { ConflictError, ValidationError } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { pushCandidates } from '../src/domain/push-assignment';
import { startSla } from '../src/domain/sla-clock';
import { canServe, eligibleQueues, planTicketAction, ticketSkills } from '../src/domain/ticket-lifecycle';

const queue = (id: string, skills: string[], mode: 'pull' | 'push' = 'pull'): QueueDefinition => ({
  id,
  name: id,
  skills,
  mode,
  escalation: { warningShare: 0.5, steps: [] },
});
const queues = [queue('general', ['general']), queue('fraud', ['fraud'], 'push'), queue('open', [])];
const now = new Date('2026-03-02T10:00:00Z');
const ctx = { now, leaseMs: 60_000, queueById: (id: string) => queues.find((q) => q.id === id) };

function complaint(
  status: ComplaintRecord['status'],
  overrides: Partial<NonNullable<ComplaintRecord['ticket']>> = {},
) {
  const receivedAt = new Date('2026-03-02T09:00:00Z');
  return {
    _id: 'c-1',
    status,
    receivedAt,
    ticket: {
      queue: 'general',
      priorityScore: 50,
      dueAt: new Date('2026-03-02T11:00:00Z'),
      agentId: status === 'queued' ? null : 'ann',
      sla: startSla(receivedAt, new Date('2026-03-02T11:00:00Z'), new Date('2026-03-03T09:00:00Z')),
      ...overrides,
    },
  } as unknown as ComplaintRecord;
}

describe('ticket lifecycle planning', () => {
  it('when a held ticket is transferred, then it is queued in the new queue, counted, the holder is freed and a push queue is dispatched', () => {
    const plan = planTicketAction('transfer', complaint('in_progress', { transferCount: 2 }), {
      ...ctx,
      targetQueue: 'fraud',
    });
    expect(plan).toMatchObject({
      patch: { status: 'queued', ticket: { queue: 'fraud', agentId: null, transferCount: 3 } },
      freesAgent: 'ann',
      timers: 'replan',
      dispatchQueue: 'fraud',
    });
    // fraud warns at half the time: 09:00 + 0.5 × 2 h.
    expect(plan.patch.ticket.warnAt).toEqual(new Date('2026-03-02T10:00:00Z'));
  });

  it('when a transfer names an unknown queue or the current one, then it is refused', () => {
    expect(() =>
      planTicketAction('transfer', complaint('queued'), { ...ctx, targetQueue: 'nowhere' }),
    ).toThrow(ValidationError);
    expect(() =>
      planTicketAction('transfer', complaint('queued'), { ...ctx, targetQueue: 'general' }),
    ).toThrow(ConflictError);
  });

  it('when a ticket is acknowledged, then the first response is recorded once and the resolution clock takes over', () => {
    const plan = planTicketAction('ack', complaint('claimed'), ctx);
    expect(plan.patch.ticket.acknowledgedAt).toEqual(now);
    expect(plan.patch.sla.phase).toBe('resolution');
    expect(plan.timers).toBe('replan');
    expect(plan.leaseUntil).toEqual(new Date(now.getTime() + 60_000));
    const again = planTicketAction(
      'ack',
      {
        ...complaint('claimed'),
        ticket: {
          ...complaint('claimed').ticket!,
          acknowledgedAt: new Date(0),
          sla: { ...complaint('claimed').ticket!.sla!, phase: 'resolution' },
        },
      },
      ctx,
    );
    expect(again.patch.ticket.acknowledgedAt).toEqual(new Date(0));
    expect(again.timers).toBe('keep');
  });

  it('when a ticket is resolved, then its clock stops, its timers go and its agent is freed', () => {
    const plan = planTicketAction('resolve', complaint('waiting_customer'), ctx);
    expect(plan).toMatchObject({
      freesAgent: 'ann',
      timers: 'cancel',
      patch: { status: 'resolved', sla: { pausedFor: 'resolved' } },
    });
  });

  it('when agents have skills, then they may serve exactly the queues whose every skill they have', () => {
    expect(eligibleQueues(queues, ['general'])).toEqual(['general', 'open']);
    expect(eligibleQueues(queues, ['fraud', 'general'])).toEqual(['general', 'fraud', 'open']);
  });
});

describe('push assignment', () => {
  it('when agents differ in load, skills, capacity and presence, then only eligible ones are offered, least loaded first', () => {
    const agents = [
      { _id: 'busy', skills: ['fraud'], capacity: 5, activeTickets: 3, online: true },
      { _id: 'full', skills: ['fraud'], capacity: 2, activeTickets: 2, online: true },
      { _id: 'away', skills: ['fraud'], capacity: 5, activeTickets: 0, online: false },
      { _id: 'unskilled', skills: ['general'], capacity: 5, activeTickets: 0, online: true },
      { _id: 'light-small', skills: ['fraud'], capacity: 2, activeTickets: 1, online: true },
      { _id: 'light-big', skills: ['fraud', 'general'], capacity: 6, activeTickets: 1, online: true },
    ];
    expect(pushCandidates(agents, queue('fraud', ['fraud'])).map((agent) => agent._id)).toEqual([
      'light-big',
      'light-small',
      'busy',
    ]);
  });
});

describe('ticket skills', () => {
  it('when the route rules add skills to the queue’s, then the ticket keeps only the added ones, sorted and once each', () => {
    expect(ticketSkills(['escalations', 'zh', 'welfare', 'zh'], ['escalations'])).toEqual(['welfare', 'zh']);
    expect(ticketSkills(['billing'], ['billing'])).toEqual([]);
  });

  it('when an agent lacks a skill of the queue or of the ticket, then they cannot serve it', () => {
    const queue = { skills: ['escalations'] };
    expect(canServe(['escalations', 'zh'], queue, { skills: ['zh'] })).toBe(true);
    expect(canServe(['escalations'], queue, { skills: ['zh'] })).toBe(false);
    expect(canServe(['zh'], queue, { skills: ['zh'] })).toBe(false);
    expect(canServe(['escalations'], queue, {})).toBe(true);
  });
});
