/**
 * All 2,067 complaints of the CFPB sample through the real worker (stored → triage jobs →
 * decisions in MongoDB), checked for decisions that make sense and can be explained.
 *
 * The CSV is never committed: it is read from CFPB_CSV or ../shared/data (tools/cfpb-corpus.ts).
 * Without it this file FAILS, saying so, unless CFPB_OPTIONAL=1, in which case its one test
 * is reported as skipped with the reason in its name. CI has the file.
 */
import { severityRank, type TriageDecision } from '@triage/rules';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { cfpbCsvPath, cfpbTags, cfpbToComplaint, readCfpbRecords } from '../../tools/cfpb-corpus';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness';

const csvPath = cfpbCsvPath();
const optional = process.env.CFPB_OPTIONAL === '1';

/** Which categories each CFPB product may end up in (fraud and identity theft cut across products). */
const categoriesByProduct: Record<string, string[]> = {
  'Credit reporting or other personal consumer reports': ['credit-reporting', 'fraud'],
  'Credit reporting, credit repair services, or other personal consumer reports': [
    'credit-reporting',
    'fraud',
  ],
  'Debt collection': ['debt-collection', 'fraud'],
  Mortgage: ['mortgage', 'fraud'],
  'Checking or savings account': ['banking', 'billing', 'fraud'],
  'Bank account or service': ['banking', 'billing', 'fraud'],
  'Credit card or prepaid card': ['billing', 'fraud'],
  'Credit card': ['billing', 'fraud'],
  'Payday loan, title loan, or personal loan': ['loans', 'fraud'],
  'Student loan': ['loans', 'fraud'],
  'Vehicle loan or lease': ['loans', 'fraud'],
  'Money transfer, virtual currency, or money service': ['banking', 'fraud'],
  'Debt or credit management': ['general', 'debt-collection', 'billing', 'fraud'],
};

const threatInNarrative = /\b(?:cfpb|consumer financial protection bureau|attorney general|lawsuit)\b/i;

function count<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The decision follows from the rules that fired (or the stage default when none set it). */
function explanationProblems(decision: TriageDecision): string[] {
  const problems: string[] = [];
  const setBy = (stage: string, param: string, value: unknown) =>
    decision.firedRules.some((rule) => rule.stage === stage && rule.params[param] === value);
  if (decision.category !== 'general' && !setBy('classify', 'category', decision.category))
    problems.push(`category ${decision.category} set by no fired rule`);
  if (decision.severity !== 'medium' && !setBy('severity', 'severity', decision.severity))
    problems.push(`severity ${decision.severity} set by no fired rule`);
  if (decision.queue !== 'general' && !setBy('route', 'queue', decision.queue))
    problems.push(`queue ${decision.queue} set by no fired rule`);
  return problems;
}

describe('CFPB corpus: every sample complaint through the worker', () => {
  if (!csvPath) {
    const reason = `the CFPB sample was not found (CFPB_CSV or ../shared/data/cfpb-complaints-sample.csv)`;
    if (optional) {
      // A skipped suite's test names are not printed, so say it where it cannot be missed.
      process.stderr.write(`\n[cfpb corpus] DID NOT RUN: ${reason}; skipped because CFPB_OPTIONAL=1\n`);
      it.skip(`DID NOT RUN: ${reason}; skipped because CFPB_OPTIONAL=1`, () => undefined);
    } else {
      it('needs the CFPB sample', () => {
        throw new Error(`${reason}. Provide it, or set CFPB_OPTIONAL=1 to skip this test knowingly.`);
      });
    }
    return;
  }

  const records = readCfpbRecords(csvPath);
  let harness: WorkerHarness;
  let stored: ComplaintRecord[];

  beforeAll(async () => {
    harness = await startWorkerHarness('cfpb', { WORKER_CONCURRENCY: '16' });
    const ids = await harness.insert(records.map(cfpbToComplaint));
    await harness.triage(ids, { timeoutMs: 90_000 });
    stored = await harness.complaints.find({}).lean<ComplaintRecord[]>();
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
  });

  const byExternalId = () => new Map(stored.map((complaint) => [complaint.externalId, complaint]));

  it('when the sample is triaged, then all 2,067 complaints have exactly one decision with its ruleset version, fired rules and trace', () => {
    expect(records).toHaveLength(2067);
    expect(stored).toHaveLength(records.length);
    const version = harness.worker.rules.status().version;
    const ruleCount = Object.values(harness.worker.rules.get().stages).reduce(
      (sum, stage) => sum + stage.rules.length,
      0,
    );
    const problems: string[] = [];
    for (const complaint of stored) {
      const decision = complaint.decision;
      if (complaint.status !== 'triaged' || !decision) {
        problems.push(`${complaint.externalId}: status ${complaint.status}, no decision`);
        continue;
      }
      if (decision.rulesetVersion !== version)
        problems.push(`${complaint.externalId}: version ${decision.rulesetVersion}`);
      // Every rule is accounted for: evaluated (in the trace) or skipped by the index.
      const evaluated = complaint.trace?.length ?? 0;
      if (evaluated === 0 || evaluated + (complaint.skippedRules ?? -1) !== ruleCount)
        problems.push(
          `${complaint.externalId}: ${evaluated} rules in the trace, ${complaint.skippedRules} skipped, of ${ruleCount}`,
        );
      if (complaint.events.filter((event) => event.type === 'triaged').length !== 1)
        problems.push(`${complaint.externalId}: not exactly one triaged event`);
      problems.push(...explanationProblems(decision).map((problem) => `${complaint.externalId}: ${problem}`));
    }
    expect(problems).toEqual([]);
  });

  it('when decisions are counted, then categories follow the products and severities and queues are spread sensibly', () => {
    const decisions = stored.map((complaint) => complaint.decision!);
    const categories = count(decisions, (decision) => decision.category);
    const severities = count(decisions, (decision) => decision.severity);
    const queues = count(decisions, (decision) => decision.queue);

    // Most of the sample is about credit reports, and so are most decisions.
    expect(categories['credit-reporting']).toBeGreaterThan(stored.length * 0.7);
    const misfiled = stored.filter(
      (complaint) =>
        !(categoriesByProduct[complaint.product ?? ''] ?? []).includes(complaint.decision!.category),
    );
    expect(misfiled.map((complaint) => `${complaint.product} → ${complaint.decision!.category}`)).toEqual([]);

    // Medium is the norm; high is the exception; nothing is lost in the default queue.
    expect(severities.medium).toBeGreaterThan(stored.length * 0.8);
    expect(severities.high).toBeGreaterThan(stored.length * 0.03);
    expect(severities.high).toBeLessThan(stored.length * 0.2);
    expect(queues.general ?? 0).toBeLessThan(stored.length * 0.01);
    expect(queues['credit-reporting']).toBeGreaterThan(stored.length * 0.7);
  });

  it('when a narrative mentions the CFPB, an attorney general or a lawsuit, then the complaint is high or worse and escalated', () => {
    const complaints = byExternalId();
    const threatening = records.filter((record) =>
      threatInNarrative.test(record['Consumer complaint narrative'] ?? ''),
    );
    expect(threatening.length).toBeGreaterThan(10);
    const notEscalated = threatening
      .map((record) => complaints.get(record['Complaint ID'])!)
      .filter(
        (complaint) =>
          severityRank[complaint.decision!.severity] < severityRank.high ||
          complaint.decision!.queue !== 'escalations' ||
          !complaint.decision!.tags.some((tag) => tag === 'regulatory-threat' || tag === 'legal-threat'),
      )
      .map(
        (complaint) =>
          `${complaint.externalId}: ${complaint.decision!.severity}/${complaint.decision!.queue}`,
      );
    expect(notEscalated).toEqual([]);
  });

  it('when CFPB tags a servicemember or an older American, then the decision is tagged and prioritised', () => {
    const complaints = byExternalId();
    const tagged = records.filter((record) => cfpbTags(record.Tags).length > 0);
    expect(tagged.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const record of tagged) {
      const decision = complaints.get(record['Complaint ID'])!.decision!;
      const tags = cfpbTags(record.Tags);
      if (tags.includes('servicemember') && !decision.tags.includes('servicemember'))
        problems.push(`${record['Complaint ID']}: servicemember not tagged`);
      if (tags.includes('older-american') && !decision.tags.includes('older-customer'))
        problems.push(`${record['Complaint ID']}: older American not tagged`);
      if ((decision.priority.components.boost ?? 0) < 15)
        problems.push(`${record['Complaint ID']}: no priority boost`);
    }
    expect(problems).toEqual([]);
  });

  it('when CFPB issue labels say a collector threatened legal action, then that is not read as the customer threatening us', () => {
    const labelled = stored.filter(
      (complaint) =>
        complaint.subject === 'Took or threatened to take negative or legal action' &&
        !/\b(?:lawsuit|attorney|lawyer)\b/i.test(complaint.body),
    );
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.filter((complaint) => complaint.decision!.tags.includes('legal-threat'))).toEqual([]);
  });
});
