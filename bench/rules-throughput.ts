/**
 * Rules throughput: the compiled evaluator (evaluateComplaint) against json-rules-engine used
 * the plain way (one Engine per stage holding all its rules, run() per complaint), measured in
 * the same run on generated rulesets of 10, 100 and 1,000 rules and on the shipped ruleset with
 * the CFPB corpus.
 *
 *   npx tsx bench/rules-throughput.ts            (npm run bench runs it with the others)
 *
 * Each measurement is a pass over a fixed set of complaints after a warm-up; passes of the two
 * evaluators alternate, and the median pass is reported, as wall-clock time and as this
 * process's CPU time (steadier when the machine is shared).
 */
import os from 'node:os';
import path from 'node:path';
import {
  addBusinessMinutes,
  compileRuleset,
  evaluateComplaint,
  readRuleFiles,
  type ComplaintFacts,
  type Evaluation,
  type FactSources,
  type Ruleset,
} from '@triage/rules';
import { createSequentialEngineEvaluator } from '../shared/rules/reference/engine-evaluators';
import { cfpbCsvPath, cfpbToComplaint, readCfpbRecords } from '../tools/cfpb-corpus';
import {
  complaintFactsOf,
  generateComplaints,
  generatedHistory,
  generateRuleFiles,
} from './generate-ruleset';

const rulesDir = path.resolve(__dirname, '..', 'rules');
const now = new Date('2026-03-04T10:00:00Z');
const ruleSeed = 42;
const complaintSeed = 7;
const ruleCounts = [10, 100, 1000];
/** Complaints per pass on the generated rulesets (naive passes at 1,000 rules take seconds). */
const generatedComplaints = 100;

const targets = { ratio: 10, growth: 3, shippedMicros: 500 };

type Evaluate = (complaint: ComplaintFacts) => Promise<Evaluation>;

interface Sample {
  wall: number;
  cpu: number;
}

async function pass(evaluate: Evaluate, complaints: readonly ComplaintFacts[]): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const complaint of complaints) await evaluate(complaint);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    wall: (wallMs * 1000) / complaints.length,
    cpu: (used.user + used.system) / complaints.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Measured {
  /** µs per complaint, median pass. */
  wall: number;
  cpu: number;
}

/**
 * Alternates passes of the evaluators (after `warmUp` passes each) and returns the median of
 * each; `passes` says how many timed passes each one gets.
 */
async function measure(
  evaluators: Record<string, { evaluate: Evaluate; passes: number; warmUp: number }>,
  complaints: readonly ComplaintFacts[],
): Promise<Record<string, Measured>> {
  const entries = Object.entries(evaluators);
  for (const [, { evaluate, warmUp }] of entries)
    for (let i = 0; i < warmUp; i += 1) await pass(evaluate, complaints);
  const samples = new Map<string, Sample[]>(entries.map(([name]) => [name, []]));
  const rounds = Math.max(...entries.map(([, { passes }]) => passes));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, { evaluate, passes }] of entries) {
      if (round < passes) samples.get(name)?.push(await pass(evaluate, complaints));
    }
  }
  return Object.fromEntries(
    entries.map(([name]) => {
      const list = samples.get(name) ?? [];
      return [name, { wall: median(list.map((s) => s.wall)), cpu: median(list.map((s) => s.cpu)) }];
    }),
  );
}

interface Profile {
  /** Rules evaluated per complaint (the index skipped the others). */
  evaluated: number;
  fired: number;
  /** µs per complaint spent computing the two SLA deadlines of the decision. */
  deadlines: number;
}

/**
 * What the compiled evaluator did per complaint, and how long the decision's SLA deadlines
 * (addBusinessMinutes on the chosen business calendar, twice) take on their own: that part
 * depends on which policy and calendar the rules chose, not on how many rules ran.
 */
async function profile(
  ruleset: Ruleset,
  complaints: readonly ComplaintFacts[],
  sources: FactSources,
): Promise<Profile> {
  let evaluated = 0;
  let fired = 0;
  const deadlines: (() => void)[] = [];
  for (const complaint of complaints) {
    const { trace, decision } = await evaluateComplaint(ruleset, complaint, sources, now);
    evaluated += trace.length;
    fired += decision.firedRules.length;
    const policy = ruleset.slaPolicies.find((candidate) => candidate.id === decision.slaPolicy);
    const calendar = ruleset.calendars.get(decision.calendar);
    if (policy !== undefined && calendar !== undefined) {
      deadlines.push(() => {
        addBusinessMinutes(calendar, complaint.receivedAt, policy.firstResponseMinutes);
        addBusinessMinutes(calendar, complaint.receivedAt, policy.resolutionMinutes);
      });
    }
  }
  const passes: number[] = [];
  for (let round = 0; round < 7; round += 1) {
    const start = performance.now();
    for (const compute of deadlines) compute();
    passes.push(((performance.now() - start) * 1000) / complaints.length);
  }
  return {
    evaluated: evaluated / complaints.length,
    fired: fired / complaints.length,
    deadlines: median(passes.slice(2)),
  };
}

function compile(files: ReadonlyMap<string, string>): Ruleset {
  const result = compileRuleset(files);
  if (!result.ok) throw new Error(`ruleset does not compile: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result.ruleset;
}

const format = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perSecond = (micros: number) => format(1e6 / micros);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    'rules throughput: compiled evaluator vs json-rules-engine (one Engine per stage, run() per complaint)',
  );
  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `generated rulesets: seed ${ruleSeed}; ${generatedComplaints} generated complaints (seed ${complaintSeed}) with a deterministic history`,
  );
  console.log('µs per complaint, median pass; wall-clock (CPU time of this process in brackets)\n');

  const base = await readRuleFiles(rulesDir);
  const complaints = generateComplaints(generatedComplaints, complaintSeed, now);
  const results = new Map<number, Record<string, Measured>>();
  const profiles = new Map<number, Profile>();
  const header = [
    'rules',
    'naive µs',
    'naive/s',
    'compiled µs',
    'compiled/s',
    'ratio',
    'deadlines µs',
    'evaluated',
    'fired',
  ];
  const widths = [6, 17, 9, 14, 11, 9, 14, 11, 7];
  const row = (cells: string[]) =>
    console.log(cells.map((cell, i) => cell.padStart(widths[i] ?? 12)).join(''));
  row(header);

  for (const count of [0, ...ruleCounts]) {
    const ruleset = compile(generateRuleFiles(count, ruleSeed, base));
    const naive = createSequentialEngineEvaluator(ruleset);
    const large = count >= 1000;
    const measured = await measure(
      {
        naive: {
          evaluate: (complaint) => naive(complaint, generatedHistory, now),
          passes: large ? 3 : 7,
          warmUp: 1,
        },
        compiled: {
          evaluate: (complaint) => evaluateComplaint(ruleset, complaint, generatedHistory, now),
          passes: 15,
          warmUp: 3,
        },
      },
      complaints,
    );
    results.set(count, measured);
    const naiveResult = measured.naive as Measured;
    const compiledResult = measured.compiled as Measured;
    const profiled = await profile(ruleset, complaints, generatedHistory);
    profiles.set(count, profiled);
    row([
      String(count),
      `${format(naiveResult.wall)} (${format(naiveResult.cpu)})`,
      perSecond(naiveResult.wall),
      `${format(compiledResult.wall)} (${format(compiledResult.cpu)})`,
      perSecond(compiledResult.wall),
      `${format(naiveResult.wall / compiledResult.wall, 1)}×`,
      format(profiled.deadlines),
      format(profiled.evaluated, 1),
      format(profiled.fired, 1),
    ]);
  }
  console.log('rules 0: the cost of a decision without any rule (facts, SLA deadlines, priority).');
  console.log('deadlines: the part of compiled µs spent on the two SLA deadlines (business-calendar walks);');
  console.log('  it depends on the policy and calendar the rules chose, not on the number of rules.');
  console.log('evaluated / fired: rules evaluated (the index skipped the others) and fired per complaint.\n');

  const at = (count: number) => results.get(count)?.compiled as Measured;
  const naiveAt = (count: number) => results.get(count)?.naive as Measured;
  const ratio = naiveAt(1000).wall / at(1000).wall;
  const ratioCpu = naiveAt(1000).cpu / at(1000).cpu;
  const growth = at(1000).wall / at(10).wall;
  const growthCpu = at(1000).cpu / at(10).cpu;
  const deadlinesAt = (count: number) => profiles.get(count)?.deadlines ?? 0;
  const growthWithoutDeadlines = (at(1000).wall - deadlinesAt(1000)) / (at(10).wall - deadlinesAt(10));

  // The shipped ruleset on the CFPB corpus.
  const csv = cfpbCsvPath();
  let shipped: Measured | undefined;
  let shippedNaive: Measured | undefined;
  if (csv === undefined) {
    console.log('shipped ruleset: the CFPB CSV is absent (set CFPB_CSV); not measured');
  } else {
    const ruleset = compile(base);
    const corpus = readCfpbRecords(csv).map((record, index) =>
      complaintFactsOf(cfpbToComplaint(record), `cfpb-${index}`, now),
    );
    const naive = createSequentialEngineEvaluator(ruleset);
    const measured = await measure(
      {
        naive: { evaluate: (complaint) => naive(complaint, undefined, now), passes: 3, warmUp: 1 },
        compiled: {
          evaluate: (complaint) => evaluateComplaint(ruleset, complaint, undefined, now),
          passes: 7,
          warmUp: 2,
        },
      },
      corpus,
    );
    shipped = measured.compiled as Measured;
    shippedNaive = measured.naive as Measured;
    const rules = Object.values(ruleset.stages).reduce((sum, stage) => sum + stage.rules.length, 0);
    console.log(
      `shipped ruleset (${rules} rules) on ${corpus.length} CFPB complaints: compiled ${format(shipped.wall)} µs (${format(
        shipped.cpu,
      )}) = ${perSecond(shipped.wall)}/s; naive ${format(shippedNaive.wall)} µs (${format(shippedNaive.cpu)}) = ${perSecond(
        shippedNaive.wall,
      )}/s\n`,
    );
  }

  console.log('targets (wall-clock; CPU time in brackets):');
  console.log(
    `  throughput compiled ÷ naive at 1,000 rules: ${format(ratio, 1)}× (${format(ratioCpu, 1)}×), target ≥ ${targets.ratio}×: ${verdict(ratio >= targets.ratio)}`,
  );
  console.log(
    `  per-complaint cost compiled(1,000) ÷ compiled(10): ${format(growth, 2)}× (${format(growthCpu, 2)}×), target ≤ ${targets.growth}×: ${verdict(growth <= targets.growth)}`,
  );
  console.log(
    `    the same without the SLA deadline walks: ${format(growthWithoutDeadlines, 2)}× (${format(at(10).wall - deadlinesAt(10))} → ${format(at(1000).wall - deadlinesAt(1000))} µs)`,
  );
  if (shipped !== undefined) {
    console.log(
      `  shipped ruleset per complaint: ${format(shipped.wall)} µs (${format(shipped.cpu)} µs), target ≤ ${targets.shippedMicros} µs: ${verdict(shipped.wall <= targets.shippedMicros)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
