import type { ComplaintEvent, ComplaintRecord } from '@triage/shared/complaint';
import { qaFactsOfRecord } from '../src/domain/qa-facts-of-record';

const t0 = new Date('2026-03-04T15:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const event = (type: string, minutes: number, data?: Record<string, unknown>): ComplaintEvent => ({
  type,
  at: at(minutes),
  ...(data ? { data } : {}),
});

/** A closed ticket: received at t0, first response due at +60, resolution due at +240 (minutes). */
function closedTicket(overrides: Partial<ComplaintRecord> = {}): ComplaintRecord {
  return {
    _id: 'c-1',
    source: 'api',
    dedupeKey: 'id:c-1',
    channel: 'web',
    subject: '重复扣费',
    body: 'I was charged twice.',
    language: 'zh-CN',
    customer: { id: 'cust-1', tier: 'gold' },
    status: 'closed',
    receivedAt: t0,
    updatedAt: at(300),
    decision: {
      category: 'billing',
      severity: 'high',
      queue: 'billing',
      firstResponseDueAt: at(60),
      resolutionDueAt: at(240),
    } as ComplaintRecord['decision'],
    ticket: {
      queue: 'billing',
      priorityScore: 80,
      dueAt: at(240),
      resolvedAt: at(200),
      closedAt: at(210),
      resolution: { code: 'refunded', summary: 'Refunded', finalAnswer: false, by: 'agent:a', at: at(200) },
      sla: {
        phase: 'resolution',
        generation: 3,
        startedAt: t0,
        firstResponseDueAt: at(60),
        resolutionDueAt: at(240),
        pausedMs: 0,
        pausedAt: at(200),
        pausedFor: 'resolved',
      },
    },
    events: [
      event('received', 0),
      event('queued', 1),
      event('claimed', 10),
      event('acknowledged', 20),
      event('resolved', 200),
      event('closed', 210),
    ],
    ...overrides,
  };
}

describe('qaFactsOfRecord', () => {
  it('when a ticket is acknowledged and resolved before its deadlines, then both are met and the notes are split by visibility', () => {
    const { facts, complaintId, customerId } = qaFactsOfRecord(
      closedTicket({
        notes: [
          { id: 'n1', text: '已核实', visibility: 'internal', author: 'agent:a', at: at(30) },
          { id: 'n2', text: '非常抱歉，已退款。', visibility: 'customer', author: 'agent:a', at: at(40) },
        ],
      }),
    );
    expect({ complaintId, customerId }).toEqual({ complaintId: 'c-1', customerId: 'cust-1' });
    expect(facts).toMatchObject({
      firstResponseMet: true,
      firstResponseMinutes: 20,
      resolutionMet: true,
      pausedMinutes: 0,
      hasResolutionCode: true,
      resolutionCode: 'refunded',
      resolutionSummary: 'Refunded',
      // NFKC, as keyword operators compare: the full-width comma reads as ",".
      customerNotesText: '非常抱歉,已退款。',
      internalNotesText: '已核实',
      notesText: '已核实\n非常抱歉,已退款。',
      customerNoteCount: 1,
      category: 'billing',
      severity: 'high',
      customerTier: 'gold',
      queue: 'billing',
      queuesVisited: ['billing'],
      csatScore: null,
      csatComment: '',
      reopened: false,
    });
  });

  it('when the customer kept the clock paused, then the resolution deadline moves by that time', () => {
    const base = closedTicket();
    const sla = base.ticket!.sla!;
    const paused = closedTicket({
      ticket: {
        ...base.ticket!,
        resolvedAt: at(300),
        sla: {
          ...sla,
          pausedAt: at(300),
          pausedMs: 90 * 60_000,
          pauses: [{ from: at(100), to: at(190), reason: 'waiting_customer' }],
        },
      },
    });
    expect(qaFactsOfRecord(paused).facts).toMatchObject({ resolutionMet: true, pausedMinutes: 90 });
    const late = closedTicket({
      ticket: { ...base.ticket!, resolvedAt: at(300), sla: { ...sla, pausedAt: at(300) } },
    });
    expect(qaFactsOfRecord(late).facts.resolutionMet).toBe(false);
  });

  it('when the first acknowledgement came after the deadline, or never, then firstResponseMet is false, or null', () => {
    const late = closedTicket({
      events: [event('received', 0), event('acknowledged', 75), event('resolved', 200)],
    });
    expect(qaFactsOfRecord(late).facts).toMatchObject({ firstResponseMet: false, firstResponseMinutes: 75 });
    const never = closedTicket({ events: [event('received', 0), event('resolved', 200)] });
    expect(qaFactsOfRecord(never).facts).toMatchObject({
      firstResponseMet: null,
      firstResponseMinutes: null,
    });
  });

  it('when the ticket was transferred and moved by the ladder, then the queues visited are listed in order', () => {
    const base = closedTicket();
    const facts = qaFactsOfRecord(
      closedTicket({
        ticket: { ...base.ticket!, queue: 'supervisors', transferCount: 1 },
        events: [
          ...base.events,
          event('transferred', 30, { from: 'billing', to: 'escalations', transferCount: 1 }),
          event('queue-moved', 90, { from: 'escalations', to: 'supervisors' }),
        ],
      }),
    ).facts;
    expect(facts).toMatchObject({
      transferCount: 1,
      queuesVisited: ['billing', 'escalations', 'supervisors'],
      queue: 'supervisors',
    });
  });

  it('when promises were kept and missed, the ticket reopened and the customer answered CSAT, then the counts and score are facts', () => {
    const base = closedTicket();
    const followUp = (id: string, status: 'kept' | 'missed' | 'pending') => ({
      id,
      note: 'call back',
      dueAt: at(100),
      remindAt: at(85),
      status,
      createdBy: 'agent:a',
      agentId: 'a',
      createdAt: at(30),
    });
    const record = {
      ...closedTicket({
        ticket: { ...base.ticket!, reopenCount: 1, resolution: null },
        followUps: [followUp('f1', 'kept'), followUp('f2', 'missed'), followUp('f3', 'kept')],
      }),
      csat: { score: 2, comment: '态度差', at: at(220), round: 1, via: 'page' as const },
    };
    expect(qaFactsOfRecord(record).facts).toMatchObject({
      followUpsMade: 3,
      followUpsKept: 2,
      followUpsMissed: 1,
      reopenCount: 1,
      reopened: true,
      hasResolutionCode: false,
      resolutionCode: '',
      csatScore: 2,
      csatComment: '态度差',
    });
  });
});
