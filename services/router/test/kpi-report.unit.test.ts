import { buildKpiReport, kpiCsv, percentile, type ReportComplaint } from '../src/domain/kpi-report';

const t0 = new Date('2026-11-02T09:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function complaint(
  id: string,
  overrides: Partial<ReportComplaint> & {
    ack?: number;
    resolved?: number;
    pausedMinutes?: number;
    agent?: string;
  },
): ReportComplaint {
  const { ack, resolved, pausedMinutes = 0, agent, ...rest } = overrides;
  const events = [
    { type: 'received', at: t0 },
    ...(ack !== undefined ? [{ type: 'acknowledged', at: at(ack), actor: `agent:${agent}` }] : []),
    ...(resolved !== undefined ? [{ type: 'resolved', at: at(resolved), actor: `agent:${agent}` }] : []),
  ];
  return {
    _id: id,
    status: resolved !== undefined ? 'resolved' : ack !== undefined ? 'in_progress' : 'queued',
    receivedAt: t0,
    product: 'Credit card',
    customer: { id: `c-${id}` },
    decision: {
      severity: 'high',
      queue: 'billing',
      tags: [],
      firstResponseDueAt: at(60),
      resolutionDueAt: at(240),
    },
    ticket: {
      queue: 'billing',
      agentId: agent ?? null,
      acknowledgedAt: ack !== undefined ? at(ack) : null,
      resolvedAt: resolved !== undefined ? at(resolved) : null,
      sla: { firstResponseDueAt: at(60), resolutionDueAt: at(240), pausedMs: pausedMinutes * 60_000 },
    },
    events,
    ...rest,
  };
}

describe('KPI report', () => {
  const range = { from: at(-60), to: at(600) };

  it('when tickets answer before and after their deadlines, then attainment counts met over measured and open late tickets breach', () => {
    const report = buildKpiReport(
      [
        complaint('a', { ack: 30, resolved: 120, agent: 'alice' }),
        complaint('b', { ack: 90, resolved: 300, agent: 'bob' }),
        complaint('c', {}), // never acknowledged, now past both deadlines
      ],
      range,
      at(500),
    );
    expect(report.totals.firstResponse).toMatchObject({
      measured: 3,
      met: 1,
      breached: 2,
      attainmentPct: 33.33,
    });
    expect(report.totals.resolution).toMatchObject({ measured: 3, met: 1, breached: 2 });
    expect(report.totals.firstResponse.p50Minutes).toBe(30);
    expect(report.totals.backlog).toBe(1);
  });

  it('when a ticket waited for the customer, then the paused time neither counts against the deadline nor the resolution time', () => {
    const report = buildKpiReport(
      [complaint('p', { ack: 10, resolved: 300, pausedMinutes: 90, agent: 'alice' })],
      range,
      at(400),
    );
    expect(report.totals.resolution).toMatchObject({ met: 1, breached: 0, p50Minutes: 210 });
  });

  it('when a ticket is still inside its deadline, then it is not measured yet', () => {
    const report = buildKpiReport([complaint('fresh', {})], range, at(5));
    expect(report.totals.firstResponse).toMatchObject({ measured: 0, attainmentPct: null });
  });

  it('when agents differ in SLA attainment, then the ranking puts the better one first', () => {
    const report = buildKpiReport(
      [
        complaint('a1', { ack: 20, resolved: 100, agent: 'alice' }),
        complaint('b1', { ack: 20, resolved: 400, agent: 'bob' }),
        complaint('b2', { ack: 20, resolved: 100, agent: 'bob' }),
      ],
      range,
      at(500),
      new Map([['alice', 'Alice Chen']]),
    );
    expect(report.byAgent.map((agent) => [agent.rank, agent.id, agent.resolution.attainmentPct])).toEqual([
      [1, 'alice', 100],
      [2, 'bob', 50],
    ]);
    expect(report.byAgent[0]?.name).toBe('Alice Chen');
  });

  it('when tickets were escalated, transferred and reopened, then the rates say so', () => {
    const escalated = complaint('e', { ack: 10, resolved: 50, agent: 'alice' });
    escalated.events.push(
      { type: 'sla.escalated', at: at(70) },
      { type: 'transferred', at: at(71) },
      { type: 'reopened', at: at(72) },
    );
    const report = buildKpiReport(
      [escalated, complaint('n', { ack: 10, resolved: 50, agent: 'alice' })],
      range,
      at(100),
    );
    expect(report.totals).toMatchObject({ escalationRatePct: 50, transferRatePct: 50, reopenRatePct: 50 });
  });

  it('when Bob transfers a ticket that Alice then resolves, then the transfer counts against Bob, not Alice', () => {
    const passedOn = complaint('t', { ack: 10, resolved: 50, agent: 'alice' });
    passedOn.events.splice(1, 0, {
      type: 'transferred',
      at: at(5),
      actor: 'agent:bob',
      data: { from: 'billing', to: 'general', fromAgent: 'bob' },
    });
    const report = buildKpiReport(
      [passedOn, complaint('a', { ack: 10, resolved: 50, agent: 'alice' })],
      range,
      at(100),
    );
    const byId = new Map(report.byAgent.map((agent) => [agent.id, agent]));
    expect(byId.get('alice')).toMatchObject({ received: 2, resolved: 2, transferRatePct: 0 });
    expect(byId.get('bob')).toMatchObject({ received: 0, transferRatePct: 100 });
  });

  it('when a customer complains twice, then the repeat-complainant rate and per-customer counts show it', () => {
    const report = buildKpiReport(
      [
        complaint('r1', { customer: { id: 'same' } }),
        complaint('r2', { customer: { id: 'same' } }),
        complaint('x', {}),
      ],
      range,
      at(10),
    );
    expect(report.totals.repeatComplainantRatePct).toBe(66.67);
    expect(report.complaintsPerCustomer[0]).toEqual({ customerId: 'same', count: 2 });
  });

  it('when exported as CSV, then there is a header, one row per group and a totals row', () => {
    const report = buildKpiReport(
      [complaint('a', { ack: 30, resolved: 120, agent: 'alice' })],
      range,
      at(500),
    );
    const lines = kpiCsv(report, 'agents').trim().split('\n');
    expect(lines[0]).toMatch(/^rank,compositeScore,id,received,resolved,backlog,firstResponseAttainmentPct/);
    // Composite 100: SLA, first-contact resolution and transfers all 100; no QA score or survey yet.
    expect(lines[1]).toMatch(/^1,100,alice,1,1,0,100,0,30,30,100,0,120,120,0,0,0,0,,0,,,,100,$/);
    expect(lines[2]).toMatch(/^,,all,1,1,0,100/);
  });

  it('percentile uses the nearest-rank method', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('KPI report: satisfaction surveys and promises', () => {
  const at = new Date('2026-03-02T09:00:00Z');
  const resolvedBy = (agentId: string, category: string, score?: number): ReportComplaint => ({
    _id: `${agentId}-${category}-${score ?? 'none'}`,
    status: 'resolved',
    receivedAt: at,
    customer: { id: 'c' },
    decision: {
      category,
      severity: 'medium',
      queue: 'billing',
      tags: [],
      firstResponseDueAt: new Date(at.getTime() + 3_600_000),
      resolutionDueAt: new Date(at.getTime() + 86_400_000),
    },
    ticket: { queue: 'billing', agentId, resolvedAt: new Date(at.getTime() + 600_000) },
    ...(score !== undefined ? { csat: { score } } : {}),
    events: [{ type: 'resolved', at: new Date(at.getTime() + 600_000), actor: `agent:${agentId}` }],
  });

  it('when some resolved tickets got survey answers, then responses, average and CSAT % (4–5) per agent and category', () => {
    const report = buildKpiReport(
      [
        resolvedBy('ann', 'billing', 5),
        resolvedBy('ann', 'billing', 2),
        resolvedBy('ann', 'fraud'),
        resolvedBy('bo', 'fraud', 4),
      ],
      { from: at, to: new Date(at.getTime() + 86_400_000) },
      new Date(at.getTime() + 86_400_000),
    );
    expect(report.byAgent.find((agent) => agent.id === 'ann')?.csat).toEqual({
      surveyed: 3,
      responses: 2,
      responseRatePct: 66.67,
      avgScore: 3.5,
      csatPct: 50,
    });
    expect(report.byCategory.map((group) => [group.id, group.csat.csatPct])).toEqual([
      ['billing', 50],
      ['fraud', 100],
    ]);
    expect(report.totals.csat).toMatchObject({ surveyed: 4, responses: 3, avgScore: 3.67 });
    const csv = kpiCsv(report, 'categories').trim().split('\n');
    expect(csv[0]).toMatch(/,csatResponses,csatAvgScore,csatPct,qaScore,fcrPct$/);
    expect(csv[1]).toMatch(/^billing,.*,2,3\.5,50,,100$/);
  });
});

describe('KPI report: agents ranked on the documented composite', () => {
  const base = new Date('2026-03-02T09:00:00Z');
  const ticket = (
    id: string,
    agentId: string,
    options: { customer?: string; qa?: number; csat?: number; late?: boolean; receivedAt?: Date } = {},
  ): ReportComplaint => {
    const receivedAt = options.receivedAt ?? base;
    const resolvedAt = new Date(receivedAt.getTime() + (options.late ? 3 * 3_600_000 : 600_000));
    return {
      _id: id,
      status: 'resolved',
      receivedAt,
      customer: { id: options.customer ?? id },
      decision: {
        category: 'billing',
        severity: 'medium',
        queue: 'billing',
        tags: [],
        firstResponseDueAt: new Date(receivedAt.getTime() + 3_600_000),
        resolutionDueAt: new Date(receivedAt.getTime() + 7_200_000),
      },
      ticket: { queue: 'billing', agentId, acknowledgedAt: receivedAt, resolvedAt },
      ...(options.qa !== undefined ? { qa: { score: options.qa } } : {}),
      ...(options.csat !== undefined ? { csat: { score: options.csat } } : {}),
      events: [{ type: 'resolved', at: resolvedAt, actor: `agent:${agentId}` }],
    };
  };

  it('when agents differ in QA, CSAT, SLA and repeats, then each part is shown and the weighted composite orders them', () => {
    const report = buildKpiReport(
      [
        // ann: QA 90, satisfied customer, on time, but the customer came back within 7 days.
        ticket('a1', 'ann', { customer: 'wang', qa: 90, csat: 5 }),
        ticket('a2', 'ann', { customer: 'wang', receivedAt: new Date(base.getTime() + 2 * 86_400_000) }),
        // bo: QA 60, dissatisfied, late.
        ticket('b1', 'bo', { qa: 60, csat: 2, late: true }),
        // cy: nothing measured beyond SLA and first contact.
        ticket('c1', 'cy'),
      ],
      { from: base, to: new Date(base.getTime() + 7 * 86_400_000) },
      new Date(base.getTime() + 7 * 86_400_000),
    );
    const [first, second, third] = report.byAgent;
    expect(report.byAgent.map((agent) => agent.id)).toEqual(['cy', 'ann', 'bo']);
    // cy: SLA 100, FCR 100, transfers 100 → 100 on 45 % of the weight.
    expect(first?.composite).toEqual({
      score: 100,
      parts: { qa: null, csat: null, sla: 100, fcr: 100, transfers: 100 },
      weightCovered: 45,
    });
    // ann: QA 90, CSAT 100, SLA 100, FCR 50 (a1 repeated), transfers 100:
    // (90·30 + 100·25 + 100·25 + 50·15 + 100·5) / 100 = 89.5
    expect(second?.composite).toEqual({
      score: 89.5,
      parts: { qa: 90, csat: 100, sla: 100, fcr: 50, transfers: 100 },
      weightCovered: 100,
    });
    // bo: (60·30 + 0·25 + 0·25 + 100·15 + 100·5) / 100 = 38
    expect(third?.composite.score).toBe(38);
    expect(third?.rank).toBe(3);
  });
});
