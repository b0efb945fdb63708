import { evaluateComplaint, type FactSources } from '@triage/rules';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { factsOfRecord } from '../src/domain/complaint-facts';
import { simulatedFactSources } from '../src/domain/fact-sources';
import { decisionChanges, replayRules } from '../src/domain/replay-rules';
import { RulesetHolder } from '../src/domain/ruleset-holder';
import { compileShippedRules, shippedRuleFiles } from './support/shipped-rules';

const files = shippedRuleFiles();
const current = compileShippedRules(files);
const holder = new RulesetHolder();
holder.apply({ ok: true, ruleset: current }, files);

function candidateWith(edit: (severity: { rules: Array<Record<string, unknown>> }) => void) {
  const severity = JSON.parse(files.get('severity.json') ?? '{}') as {
    rules: Array<Record<string, unknown>>;
  };
  edit(severity);
  const result = holder.compileCandidate({ 'severity.json': severity });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.ruleset;
}

/** Legal threats become critical in the candidate. */
const legalIsCritical = candidateWith((severity) => {
  const rule = severity.rules.find((candidate) => candidate.name === 'legal-threat') as {
    event: { params: { severity: string } };
  };
  rule.event.params.severity = 'critical';
});

let sequence = 0;
async function storedComplaint(body: string, receivedAt: Date): Promise<ComplaintRecord> {
  sequence += 1;
  const record: ComplaintRecord = {
    _id: `complaint-${sequence}`,
    source: 'api',
    dedupeKey: `id:complaint-${sequence}`,
    customer: { id: `customer-${sequence}` },
    channel: 'email',
    body,
    language: 'en',
    status: 'triaged',
    receivedAt,
    updatedAt: receivedAt,
    events: [],
  };
  const decidedAt = new Date(receivedAt.getTime() + 1000);
  record.decision = (await evaluateComplaint(current, factsOfRecord(record), undefined, decidedAt)).decision;
  return record;
}

describe('replayRules', () => {
  let complaints: ComplaintRecord[];
  const asOf: Date[] = [];
  const factSourcesAsOf = (at: Date): FactSources => {
    asOf.push(at);
    return simulatedFactSources();
  };

  beforeAll(async () => {
    complaints = [
      await storedComplaint('I will file a lawsuit over this fee.', new Date('2026-03-03T15:00:00Z')),
      await storedComplaint('Double charged, please refund.', new Date('2026-03-02T15:00:00Z')),
      await storedComplaint('My lawyer has the letters. Refund me.', new Date('2026-03-01T15:00:00Z')),
    ];
  });

  it('when only a severity rule changes, then exactly the complaints it touches are counted, with transitions and examples', async () => {
    const report = await replayRules({ current, candidate: legalIsCritical, complaints, factSourcesAsOf });

    expect(report).toMatchObject({
      currentVersion: current.version,
      candidateVersion: legalIsCritical.version,
      compared: 3,
      changed: { any: 2, severity: 2, category: 0, queue: 0 },
      transitions: { severity: { 'high → critical': 2 } },
      storedDecisionsDiffer: 0,
      failures: [],
    });
    expect(report.examples.map((example) => example.complaintId)).toEqual(['complaint-1', 'complaint-3']);
    expect(report.examples[0]?.changes.severity).toEqual({ from: 'high', to: 'critical' });
    expect(report.examples[0]?.excerpt).toBe('I will file a lawsuit over this fee.');
  });

  it('when both sides are evaluated, then they use the stored decision time as "now", so deadlines move only with the rules', async () => {
    asOf.length = 0;
    const report = await replayRules({ current, candidate: current, complaints, factSourcesAsOf });

    expect(report.changed.any).toBe(0);
    expect(asOf.map((at) => at.toISOString())).toEqual(
      complaints.map((complaint) => complaint.decision?.decidedAt.toISOString()),
    );
  });

  it('when a candidate rule asks withinHours / olderThanHours, then the replay decides them at the stored decision time, not today', async () => {
    const timed = (operator: string) =>
      candidateWith((severity) => {
        severity.rules.unshift({
          name: 'timed-rule',
          priority: 1000,
          conditions: { all: [{ fact: 'receivedAt', operator, value: 1 }] },
          event: { type: 'severity', params: { severity: 'critical' } },
        });
      });
    // Each complaint was decided a second after it arrived, months before today: by the
    // replay's now every one is within the hour (critical), none is older.
    for (const [operator, changed] of [
      ['withinHours', 3],
      ['olderThanHours', 0],
    ] as const) {
      const report = await replayRules({ current, candidate: timed(operator), complaints, factSourcesAsOf });
      expect([operator, report.changed.any, report.changed.severity]).toEqual([operator, changed, changed]);
    }
  });

  it('when the limit of examples is reached, then counting goes on', async () => {
    const report = await replayRules({
      current,
      candidate: legalIsCritical,
      complaints,
      factSourcesAsOf,
      examples: 1,
    });
    expect(report.changed.severity).toBe(2);
    expect(report.examples).toHaveLength(1);
  });

  it('when two decisions differ, then decisionChanges lists each field with before and after', () => {
    const [first, second] = complaints;
    const changes = decisionChanges(first!.decision!, second!.decision!);
    expect(changes.category).toEqual({ from: 'general', to: 'billing' });
    expect(changes.severity).toEqual({ from: 'high', to: 'medium' });
    expect(changes.firstResponseDueAt?.from).not.toEqual(changes.firstResponseDueAt?.to);
  });
});
