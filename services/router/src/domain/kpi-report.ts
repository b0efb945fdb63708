import { complaintStatuses, type ComplaintEvent } from '@triage/shared/complaint';
import { compositeScore, type CompositeScore } from './agent-quality';

/** The fields of a complaint a KPI report reads (a projection of the stored document). */
export interface ReportComplaint {
  _id: string;
  status: string;
  receivedAt: Date;
  product?: string;
  customer: { id: string };
  decision?: {
    category?: string;
    severity: string;
    queue: string;
    tags: string[];
    firstResponseDueAt: Date;
    resolutionDueAt: Date;
  };
  ticket?: {
    queue?: string;
    agentId?: string | null;
    acknowledgedAt?: Date | null;
    resolvedAt?: Date | null;
    sla?: { firstResponseDueAt: Date; resolutionDueAt: Date; pausedMs: number };
  };
  followUps?: Array<{ status: 'pending' | 'kept' | 'missed'; agentId: string | null }>;
  csat?: { score: number };
  /** The ticket's QA score (0–100): auto criteria, plus a reviewer's once reviewed. */
  qa?: { score?: number | null };
  events: ComplaintEvent[];
}

/** Satisfaction survey answers: one survey is due per resolved ticket. */
export interface CsatKpi {
  /** Resolved tickets (each made a survey due). */
  surveyed: number;
  responses: number;
  responseRatePct: number | null;
  avgScore: number | null;
  /** Share of answers scoring 4 or 5 (the usual CSAT %). */
  csatPct: number | null;
}

/** Follow-up promises: kept by their due time, missed, still pending. */
export interface PromiseKpi {
  made: number;
  kept: number;
  missed: number;
  pending: number;
  /** kept ÷ (kept + missed): promises whose outcome is known. */
  keptPct: number | null;
}

export interface SlaKpi {
  /** Tickets whose outcome is known: met, or breached (late, or still open past the deadline). */
  measured: number;
  met: number;
  breached: number;
  attainmentPct: number | null;
  p50Minutes: number | null;
  p90Minutes: number | null;
}

export interface GroupKpis {
  id: string;
  name?: string;
  received: number;
  resolved: number;
  backlog: number;
  firstResponse: SlaKpi;
  resolution: SlaKpi;
  escalationRatePct: number | null;
  transferRatePct: number | null;
  reopenRatePct: number | null;
  promises: PromiseKpi;
  csat: CsatKpi;
  /** Mean QA score of the group's scored tickets. */
  qaScore: number | null;
  /** First-contact resolution: resolved tickets not reopened and with no repeat complaint within 7 days. */
  fcrPct: number | null;
}

export interface KpiReport {
  range: { from: Date; to: Date };
  generatedAt: Date;
  totals: GroupKpis & { repeatComplainantRatePct: number | null };
  byQueue: GroupKpis[];
  /** Ranked by the documented composite (agent-quality.ts), each part shown. */
  byAgent: Array<GroupKpis & { rank: number; composite: CompositeScore }>;
  bySeverity: GroupKpis[];
  byCategory: GroupKpis[];
  complaintsPerProduct: Array<{ product: string; count: number }>;
  complaintsPerCustomer: Array<{ customerId: string; count: number }>;
}

const OPEN: ReadonlySet<string> = new Set(
  complaintStatuses.filter((status) => status !== 'resolved' && status !== 'closed'),
);
const MINUTE = 60_000;

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[index] as number);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : round((100 * part) / whole);
}

function pausedMs(complaint: ReportComplaint): number {
  return complaint.ticket?.sla?.pausedMs ?? 0;
}

interface Outcome {
  firstResponse: { met: boolean | null; minutes: number | null };
  resolution: { met: boolean | null; minutes: number | null };
  escalated: boolean;
  transferred: boolean;
  /** The agents who transferred it away (the holder at the time, or the agent who acted). */
  transferredBy: string[];
  reopened: boolean;
  resolved: boolean;
  open: boolean;
  agentId: string | null;
  followUps: NonNullable<ReportComplaint['followUps']>;
  csatScore: number | null;
  qaScore: number | null;
  /** Resolved at first contact; null while unresolved. Repeats are found across the report. */
  firstContact: boolean | null;
}

/**
 * One complaint's SLA outcome at `now`. First response is the agent's ack; resolution time
 * excludes time waiting for the customer (paused). A ticket still open past its deadline
 * counts as breached; one still inside its deadline is not measured yet.
 */
export function outcomeOf(complaint: ReportComplaint, now: Date): Outcome {
  const received = complaint.receivedAt.getTime();
  const paused = pausedMs(complaint);
  const firstDue = (
    complaint.ticket?.sla?.firstResponseDueAt ?? complaint.decision?.firstResponseDueAt
  )?.getTime();
  const resolutionDueBase = (
    complaint.ticket?.sla?.resolutionDueAt ?? complaint.decision?.resolutionDueAt
  )?.getTime();
  const resolutionDue = resolutionDueBase === undefined ? undefined : resolutionDueBase + paused;
  const ack =
    complaint.ticket?.acknowledgedAt?.getTime() ??
    complaint.events.find((e) => e.type === 'acknowledged')?.at.getTime();
  const resolvedEvent = [...complaint.events].reverse().find((e) => e.type === 'resolved');
  const resolvedAt = complaint.ticket?.resolvedAt?.getTime() ?? resolvedEvent?.at.getTime();
  const resolved = complaint.status === 'resolved' || complaint.status === 'closed';

  const judge = (doneAt: number | undefined, due: number | undefined, elapsed: (done: number) => number) => {
    if (due === undefined) return { met: null, minutes: null };
    if (doneAt !== undefined) return { met: doneAt <= due, minutes: round(elapsed(doneAt) / MINUTE) };
    return { met: now.getTime() > due ? false : null, minutes: null };
  };
  const resolvedBy = resolvedEvent?.actor?.startsWith('agent:')
    ? resolvedEvent.actor.slice('agent:'.length)
    : null;
  return {
    firstResponse: judge(ack, firstDue, (done) => done - received),
    resolution: judge(resolved ? resolvedAt : undefined, resolutionDue, (done) => done - received - paused),
    escalated: complaint.events.some((e) => e.type === 'sla.escalated'),
    transferred: complaint.events.some((e) => e.type === 'transferred'),
    transferredBy: transferringAgents(complaint),
    reopened: complaint.events.some((e) => e.type === 'reopened'),
    resolved,
    open: OPEN.has(complaint.status),
    agentId: resolvedBy ?? complaint.ticket?.agentId ?? null,
    followUps: complaint.followUps ?? [],
    csatScore: complaint.csat?.score ?? null,
    qaScore: complaint.qa?.score ?? null,
    firstContact: resolved ? !complaint.events.some((e) => e.type === 'reopened') : null,
  };
}

function transferringAgents(complaint: ReportComplaint): string[] {
  const agents = complaint.events.flatMap((event) => {
    if (event.type !== 'transferred') return [];
    const fromAgent = (event.data as { fromAgent?: unknown } | undefined)?.fromAgent;
    if (typeof fromAgent === 'string') return [fromAgent];
    return event.actor?.startsWith('agent:') ? [event.actor.slice('agent:'.length)] : [];
  });
  return [...new Set(agents)];
}

function slaKpi(results: Array<{ met: boolean | null; minutes: number | null }>): SlaKpi {
  const judged = results.filter((r) => r.met !== null);
  const met = judged.filter((r) => r.met).length;
  const minutes = results.flatMap((r) => (r.minutes === null ? [] : [r.minutes])).sort((a, b) => a - b);
  return {
    measured: judged.length,
    met,
    breached: judged.length - met,
    attainmentPct: rate(met, judged.length),
    p50Minutes: percentile(minutes, 50),
    p90Minutes: percentile(minutes, 90),
  };
}

function promiseKpi(followUps: ReadonlyArray<{ status: string }>): PromiseKpi {
  const count = (status: string) => followUps.filter((followUp) => followUp.status === status).length;
  const [kept, missed] = [count('kept'), count('missed')];
  return {
    made: followUps.length,
    kept,
    missed,
    pending: count('pending'),
    keptPct: rate(kept, kept + missed),
  };
}

function csatKpi(outcomes: Outcome[]): CsatKpi {
  const scores = outcomes.flatMap((o) => (o.csatScore === null ? [] : [o.csatScore]));
  const surveyed = outcomes.filter((o) => o.resolved).length;
  return {
    surveyed,
    responses: scores.length,
    responseRatePct: rate(scores.length, surveyed),
    avgScore: scores.length === 0 ? null : round(scores.reduce((a, b) => a + b, 0) / scores.length),
    csatPct: rate(scores.filter((score) => score >= 4).length, scores.length),
  };
}

function groupKpis(id: string, outcomes: Outcome[]): GroupKpis {
  const resolved = outcomes.filter((o) => o.resolved).length;
  return {
    id,
    received: outcomes.length,
    resolved,
    backlog: outcomes.filter((o) => o.open).length,
    firstResponse: slaKpi(outcomes.map((o) => o.firstResponse)),
    resolution: slaKpi(outcomes.map((o) => o.resolution)),
    escalationRatePct: rate(outcomes.filter((o) => o.escalated).length, outcomes.length),
    transferRatePct: rate(outcomes.filter((o) => o.transferred).length, outcomes.length),
    reopenRatePct: rate(outcomes.filter((o) => o.reopened).length, resolved),
    promises: promiseKpi(outcomes.flatMap((o) => o.followUps)),
    csat: csatKpi(outcomes),
    qaScore: mean(outcomes.flatMap((o) => (o.qaScore === null ? [] : [o.qaScore]))),
    fcrPct: rate(
      outcomes.filter((o) => o.firstContact === true).length,
      outcomes.filter((o) => o.firstContact !== null).length,
    ),
  };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length);
}

const REPEAT_WINDOW_MS = 7 * 86_400_000;

/**
 * A resolved complaint is not a first-contact resolution when the same customer complained again
 * within 7 days of its resolution (among the complaints of the report).
 */
function markRepeats(rows: Array<{ complaint: ReportComplaint; outcome: Outcome }>): void {
  const byCustomer = groupBy(rows, (row) => row.complaint.customer.id);
  for (const group of byCustomer.values()) {
    if (group.length < 2) continue;
    for (const row of group) {
      const resolvedAt = row.complaint.ticket?.resolvedAt?.getTime();
      if (row.outcome.firstContact !== true || resolvedAt === undefined) continue;
      const repeated = group.some((other) => {
        const at = other.complaint.receivedAt.getTime();
        return other !== row && at > resolvedAt && at <= resolvedAt + REPEAT_WINDOW_MS;
      });
      if (repeated) row.outcome.firstContact = false;
    }
  }
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}

/**
 * KPIs for the complaints received in a time range: per queue, per agent, per severity, per
 * category and in total. Agents are ranked by the composite of agent-quality.ts (QA score, CSAT,
 * SLA attainment, first-contact resolution, transfers), then resolution and first-response
 * attainment, then tickets resolved.
 */
export function buildKpiReport(
  complaints: ReportComplaint[],
  range: { from: Date; to: Date },
  now: Date,
  agentNames: ReadonlyMap<string, string> = new Map(),
): KpiReport {
  const rows = complaints.map((complaint) => ({ complaint, outcome: outcomeOf(complaint, now) }));
  markRepeats(rows);
  const outcomes = rows.map((row) => row.outcome);
  const perGroup = (key: (row: (typeof rows)[number]) => string | null) =>
    [...groupBy(rows, key).entries()]
      .map(([id, group]) =>
        groupKpis(
          id,
          group.map((row) => row.outcome),
        ),
      )
      .sort((a, b) => b.received - a.received || a.id.localeCompare(b.id));

  // An agent's transfer rate counts the tickets *they* transferred, out of all they handled
  // (those they ended with and those they passed on); the rest is judged on the tickets they ended with.
  const transfersBy = new Map<string, number>();
  for (const outcome of outcomes) {
    for (const agentId of outcome.transferredBy)
      transfersBy.set(agentId, (transfersBy.get(agentId) ?? 0) + 1);
  }
  const agentGroups = perGroup((row) => row.outcome.agentId);
  const promisers = outcomes.flatMap((o) => o.followUps.flatMap((f) => (f.agentId ? [f.agentId] : [])));
  for (const agentId of new Set([...transfersBy.keys(), ...promisers])) {
    if (!agentGroups.some((group) => group.id === agentId)) agentGroups.push(groupKpis(agentId, []));
  }
  const byAgent = agentGroups
    .map((group) => {
      const transferred = transfersBy.get(group.id) ?? 0;
      const keptAndPassedOn = outcomes.filter(
        (o) => o.agentId === group.id || o.transferredBy.includes(group.id),
      ).length;
      // Promises are the promising agent's, wherever the ticket went next.
      const promised = outcomes.flatMap((o) => o.followUps.filter((f) => f.agentId === group.id));
      const transferRatePct = rate(transferred, keptAndPassedOn);
      return {
        ...group,
        transferRatePct,
        promises: promiseKpi(promised),
        composite: compositeScore({
          resolved: group.resolved,
          qaScore: group.qaScore,
          csatPct: group.csat.csatPct,
          slaAttainmentPct: group.resolution.attainmentPct,
          fcrPct: group.fcrPct,
          transferRatePct,
        }),
      };
    })
    .map((group) => ({ ...group, ...(agentNames.get(group.id) ? { name: agentNames.get(group.id) } : {}) }))
    .sort(
      (a, b) =>
        (b.composite.score ?? -1) - (a.composite.score ?? -1) ||
        (b.resolution.attainmentPct ?? -1) - (a.resolution.attainmentPct ?? -1) ||
        (b.firstResponse.attainmentPct ?? -1) - (a.firstResponse.attainmentPct ?? -1) ||
        b.resolved - a.resolved ||
        a.id.localeCompare(b.id),
    )
    .map((group, index) => ({ ...group, rank: index + 1 }));

  const perCustomer = groupBy(complaints, (c) => c.customer.id);
  const repeatComplaints = complaints.filter(
    (c) =>
      (perCustomer.get(c.customer.id)?.length ?? 0) > 1 ||
      (c.decision?.tags ?? []).includes('repeat-complainant'),
  ).length;
  const count = (groups: Map<string, unknown[]>) =>
    [...groups.entries()]
      .map(([id, list]) => ({ id, count: list.length }))
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));

  return {
    range,
    generatedAt: now,
    totals: {
      ...groupKpis('all', outcomes),
      repeatComplainantRatePct: rate(repeatComplaints, complaints.length),
    },
    byQueue: perGroup((row) => row.complaint.ticket?.queue ?? row.complaint.decision?.queue ?? null),
    byAgent,
    bySeverity: perGroup((row) => row.complaint.decision?.severity ?? null),
    byCategory: perGroup((row) => row.complaint.decision?.category ?? null),
    complaintsPerProduct: count(groupBy(complaints, (c) => c.product ?? '(none)')).map(
      ({ id, count: n }) => ({ product: id, count: n }),
    ),
    complaintsPerCustomer: count(perCustomer)
      .slice(0, 50)
      .map(({ id, count: n }) => ({ customerId: id, count: n })),
  };
}

const CSV_COLUMNS = [
  'id',
  'received',
  'resolved',
  'backlog',
  'firstResponseAttainmentPct',
  'firstResponseBreached',
  'firstResponseP50Minutes',
  'firstResponseP90Minutes',
  'resolutionAttainmentPct',
  'resolutionBreached',
  'resolutionP50Minutes',
  'resolutionP90Minutes',
  'escalationRatePct',
  'transferRatePct',
  'reopenRatePct',
  'promisesMade',
  'promisesKeptPct',
  'csatResponses',
  'csatAvgScore',
  'csatPct',
  'qaScore',
  'fcrPct',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The same KPIs as CSV, one row per group (queue, agent or severity), totals last. */
export function kpiCsv(report: KpiReport, view: 'queues' | 'agents' | 'severities' | 'categories'): string {
  const groups: GroupKpis[] =
    view === 'queues'
      ? report.byQueue
      : view === 'agents'
        ? report.byAgent
        : view === 'categories'
          ? report.byCategory
          : report.bySeverity;
  const header = [
    view === 'agents' ? 'rank' : null,
    view === 'agents' ? 'compositeScore' : null,
    ...CSV_COLUMNS,
    view === 'agents' ? 'name' : null,
  ].filter(Boolean);
  const line = (group: GroupKpis & { rank?: number; composite?: CompositeScore }) =>
    [
      ...(view === 'agents' ? [group.rank ?? '', group.composite?.score ?? ''] : []),
      group.id,
      group.received,
      group.resolved,
      group.backlog,
      group.firstResponse.attainmentPct,
      group.firstResponse.breached,
      group.firstResponse.p50Minutes,
      group.firstResponse.p90Minutes,
      group.resolution.attainmentPct,
      group.resolution.breached,
      group.resolution.p50Minutes,
      group.resolution.p90Minutes,
      group.escalationRatePct,
      group.transferRatePct,
      group.reopenRatePct,
      group.promises.made,
      group.promises.keptPct,
      group.csat.responses,
      group.csat.avgScore,
      group.csat.csatPct,
      group.qaScore,
      group.fcrPct,
      ...(view === 'agents' ? [group.name ?? ''] : []),
    ]
      .map(csvCell)
      .join(',');
  return (
    [
      header.join(','),
      ...groups.map(line),
      line({ ...report.totals, ...(view === 'agents' ? { rank: undefined } : {}) }),
    ].join('\n') + '\n'
  );
}
