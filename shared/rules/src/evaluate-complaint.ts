import {
  severityRank,
  type FiredRule,
  type PriorityBreakdown,
  type RuleTrace,
  type Severity,
  type TriageDecision,
} from './triage-decision';
import { addBusinessMinutes } from './business-calendar';
import type { Ruleset } from './load-ruleset';
import { CompiledRun, compiledRulesetOf, type ComputedFact } from './compiled/compiled-evaluator';

import {
  insideCalendar,
  noHistoryFactSources,
  receivedClock,
  staticFacts,
  type ComplaintFacts,
  type FactSources,
} from './facts';
import { stageNames, type SlaPolicy, type StageName } from './ruleset-schemas';
import type { LocalClock } from './zone-offsets';

export interface Evaluation {
  decision: TriageDecision;
  /**
   * The rules evaluated, in the order json-rules-engine reports them (stage, then priority,
   * then file order), each with its condition trace. json-rules-engine evaluates every rule;
   * {@link evaluateComplaint} leaves out the rules its index proved cannot fire.
   */
  trace: RuleTrace[];
  /**
   * How many rules were not evaluated because the index proved they cannot fire (none of the
   * keywords, values or conditions they require is present): not fired, not in the trace.
   */
  skippedRules: number;
  /** The customer's other recent complaints, when a rule asked for repeatCount. */
  relatedComplaintIds: string[];
}

const tierPoints: Record<string, number> = { standard: 0, silver: 5, gold: 10, platinum: 15, vip: 20 };

/**
 * The priority score and its parts, so a supervisor can see why one ticket outranks
 * another: severity (25 per rank), customer tier (0–20), urgency (0–30, the less time
 * to the first-response deadline the more), age of the grievance (1 a day, at most 10)
 * and boosts from rules.
 */
export function priorityScore(input: {
  severity: Severity;
  tier: string;
  firstResponseDueAt: Date;
  occurredAt: Date;
  boost: number;
  now: Date;
}): PriorityBreakdown {
  const hoursLeft = (input.firstResponseDueAt.getTime() - input.now.getTime()) / 3_600_000;
  const components = {
    severity: severityRank[input.severity] * 25,
    tier: tierPoints[input.tier] ?? 0,
    urgency: round(30 * Math.min(1, Math.max(0, 1 - hoursLeft / 48))),
    age: round(Math.min(10, Math.max(0, (input.now.getTime() - input.occurredAt.getTime()) / 86_400_000))),
    boost: input.boost,
  };
  const score = round(Object.values(components).reduce((sum, part) => sum + part, 0));
  return { score, components };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Picks the SLA policy for a severity and tier: a tier-specific entry beats the severity default. */
export function selectSlaPolicy(policies: SlaPolicy[], severity: Severity, tier: string): SlaPolicy {
  const forSeverity = (policy: SlaPolicy) => policy.severity === undefined || policy.severity === severity;
  const exact = policies.find((p) => p.severity === severity && p.tiers?.includes(tier as never));
  const severityDefault = policies.find((p) => p.severity === severity && p.tiers === undefined);
  const catchAll = policies.find((p) => forSeverity(p) && p.tiers === undefined);
  const chosen = exact ?? severityDefault ?? catchAll;
  // compileRuleset guarantees a default per severity.
  if (!chosen) throw new Error(`no SLA policy for severity ${severity}`);
  return chosen;
}

/** @internal What one stage produced (for the reference evaluators; not exported by the package). */
export interface StageOutcome {
  fired: FiredRule[];
}

/** @internal Runs the stages of one evaluation, one at a time, and keeps their trace. */
export interface StageRunner {
  /** Runs one stage over the evaluation's current facts. */
  run(stage: StageName): StageOutcome | Promise<StageOutcome>;
  /** The trace of the rules evaluated, once the last stage has run, and how many were skipped. */
  trace(): { trace: RuleTrace[]; skippedRules: number };
}

/** @internal What every evaluation path starts from: the runtime facts, the computed facts and now. */
export interface EvaluationInputs {
  /** The facts every stage sees; category, severity, tags and flags are updated between stages. */
  facts: Record<string, unknown>;
  /** Facts computed on demand from the condition's params (json-rules-engine dynamic facts). */
  computedFacts: ReadonlyMap<string, ComputedFact>;
  /** The evaluation's now: facts such as ageHours and the time operators are relative to it. */
  now: Date;
}

/**
 * The compiled ruleset (compiled/stage-compiler.ts); per-evaluation state lives in the CompiledRun,
 * which appends each stage's evaluated rules to the trace.
 */
function compiledRunner(ruleset: Ruleset, inputs: EvaluationInputs): StageRunner {
  const compiled = compiledRulesetOf(ruleset);
  const run = new CompiledRun(compiled, inputs.facts, inputs.computedFacts, inputs.now.getTime());
  return {
    run: (stage) => run.runStage(stage),
    trace: () => {
      run.finish();
      return { trace: run.trace, skippedRules: compiled.ruleCount - run.trace.length };
    },
  };
}

function firstParam<T>(fired: FiredRule[], key: string): T | undefined {
  for (const rule of fired) if (rule.params[key] !== undefined) return rule.params[key] as T;
  return undefined;
}

/**
 * Adds a stage's tags (or flags) to the evaluation's, in order, without repeats: those of the
 * rules that fired, or the stage defaults when none did.
 */
function remember(
  list: string[],
  stageFired: readonly FiredRule[],
  key: 'tags' | 'flags',
  defaults: readonly string[] | undefined,
): void {
  if (stageFired.length === 0) addNew(list, defaults);
  else for (const rule of stageFired) addNew(list, rule.params[key] as string[] | undefined);
}

function addNew(list: string[], values: readonly string[] | undefined): void {
  if (values !== undefined) for (const value of values) if (!list.includes(value)) list.push(value);
}

/** The most severe verdict of the rules that fired, whichever rule gave it (the first of equals). */
function mostSevere(fired: readonly FiredRule[]): Severity | undefined {
  let verdict: Severity | undefined;
  for (const rule of fired) {
    const severity = rule.params.severity as Severity | undefined;
    if (severity && (verdict === undefined || severityRank[severity] > severityRank[verdict]))
      verdict = severity;
  }
  return verdict;
}

function collect(fired: FiredRule[], key: string, initial: readonly string[] = []): string[] {
  const values = new Set(initial);
  for (const rule of fired)
    for (const value of (rule.params[key] as string[] | undefined) ?? []) values.add(value);
  return [...values];
}

/**
 * Runs the four stages (classify → severity → sla → route) over one complaint and
 * assembles the decision with its trace. Pure apart from the fact sources it is given.
 *
 * Rules run as compiled closures (compiled/, ADR 0005): the decision and related
 * complaints are json-rules-engine's ({@link evaluateComplaintWithEngine}; a differential test
 * checks it), at a cost that grows slowly with the number of rules. The trace differs in one
 * way: a rule the index proved cannot fire (no keyword, value or condition it requires is
 * present) is not evaluated and not in the trace; `skippedRules` counts those. Condition
 * values and fired rules' params are frozen objects shared with the compiled ruleset: copy
 * before changing them. Stateless between calls, so safe to call concurrently.
 */
export function evaluateComplaint(
  ruleset: Ruleset,
  complaint: ComplaintFacts,
  sources: FactSources = noHistoryFactSources,
  now: Date = new Date(),
): Promise<Evaluation> {
  return evaluateWith(ruleset, complaint, sources, now, (inputs) => compiledRunner(ruleset, inputs));
}

/**
 * Compiles a ruleset for {@link evaluateComplaint} now, e.g. right after loading it, rather than
 * on its first complaint (a few ms for the shipped rules, ~0.2 s for 1,000 rules).
 */
export function precompileRuleset(ruleset: Ruleset): void {
  compiledRulesetOf(ruleset);
}

/**
 * @internal Runs the stages with the given runner and assembles the decision: shared by
 * {@link evaluateComplaint} and the reference evaluators in ../reference (not exported from
 * the package).
 */
export async function evaluateWith(
  ruleset: Ruleset,
  complaint: ComplaintFacts,
  sources: FactSources,
  now: Date,
  runnerFor: (inputs: EvaluationInputs) => StageRunner,
): Promise<Evaluation> {
  // Async facts are looked up once per evaluation, whichever stages ask.
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let value = memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      memo.set(key, value);
    }
    return value;
  };
  const recent = (days: number) =>
    once(`recent:${days}`, () => sources.recentComplaintIds(complaint.customer.id, days, complaint.id));
  const outcomes = () =>
    once('outcomes', async () =>
      sources.priorOutcomes ? sources.priorOutcomes(complaint.customer.id, complaint.id) : [],
    );
  // Read when a severity, sla or route rule asks: the category is decided by then (load-ruleset.ts
  // refuses these facts in classify rules).
  const finalAnswer = async () => {
    const category = facts.category;
    return (await outcomes()).find((outcome) => outcome.finalAnswer && outcome.category === category);
  };
  const relatedComplaintIds: string[] = [];
  // receivedHour and receivedWeekday of one time zone share one conversion.
  const clocks = new Map<unknown, LocalClock>();
  const receivedLocally = (timeZone: unknown): LocalClock => {
    let clock = clocks.get(timeZone);
    if (clock === undefined) {
      clock = receivedClock(complaint.receivedAt, timeZone);
      clocks.set(timeZone, clock);
    }
    return clock;
  };

  const computedFacts = new Map<string, ComputedFact>([
    [
      'repeatCount',
      async (params: { days?: unknown }) => {
        const days = typeof params?.days === 'number' && params.days > 0 ? params.days : 30;
        const ids = await recent(days);
        for (const id of ids) if (!relatedComplaintIds.includes(id)) relatedComplaintIds.push(id);
        return ids.length;
      },
    ],
    ['openComplaints', () => once('open', () => sources.openComplaints(complaint.customer.id, complaint.id))],
    ['blocklisted', () => once('blocklisted', () => sources.isBlocklisted(complaint.customer.id, now))],
    ['priorResolutionCodes', async () => (await outcomes()).map((outcome) => outcome.code)],
    ['priorFinalAnswer', async () => (await finalAnswer()) !== undefined],
    [
      'daysSinceFinalAnswer',
      async () => {
        const given = await finalAnswer();
        if (given === undefined) return undefined;
        return Math.max(0, (complaint.receivedAt.getTime() - given.at.getTime()) / 86_400_000);
      },
    ],
    ['receivedHour', (params: { timeZone?: unknown }) => receivedLocally(params?.timeZone).hour],
    ['receivedWeekday', (params: { timeZone?: unknown }) => receivedLocally(params?.timeZone).weekday],
    [
      'insideBusinessHours',
      (params: { calendar?: unknown }) =>
        insideCalendar(ruleset.calendars, params?.calendar, complaint.receivedAt),
    ],
  ]);

  const facts: Record<string, unknown> = {
    ...staticFacts(complaint, now),
    category: '',
    severity: '',
    tags: [],
    flags: [],
  };
  const fired: Record<StageName, FiredRule[]> = { classify: [], severity: [], sla: [], route: [] };
  const tags: string[] = [];
  const flags: string[] = [];

  const runner = runnerFor({ facts, computedFacts, now });
  for (const stage of stageNames) {
    const outcome = await runner.run(stage);
    fired[stage] = outcome.fired;
    const defaults = ruleset.stages[stage].defaults as { tags?: string[]; flags?: string[] } | undefined;
    remember(tags, outcome.fired, 'tags', defaults?.tags);
    remember(flags, outcome.fired, 'flags', defaults?.flags);
    // Fresh arrays only when something was added: traces hold on to the facts they saw.
    if ((facts.tags as string[]).length !== tags.length) facts.tags = [...tags];
    if ((facts.flags as string[]).length !== flags.length) facts.flags = [...flags];
    if (stage === 'classify') {
      facts.category =
        firstParam<string>(outcome.fired, 'category') ??
        ruleset.stages.classify.defaults?.category ??
        'general';
    }
    if (stage === 'severity') {
      facts.severity = mostSevere(outcome.fired) ?? ruleset.stages.severity.defaults?.severity ?? 'medium';
    }
  }

  const { trace, skippedRules } = runner.trace();
  const severity = facts.severity as Severity;
  const tier = complaint.customer.tier ?? 'standard';
  const policyId = firstParam<string>(fired.sla, 'slaPolicy') ?? ruleset.stages.sla.defaults?.slaPolicy;
  const policy =
    ruleset.slaPolicies.find((p) => p.id === policyId) ??
    selectSlaPolicy(ruleset.slaPolicies, severity, tier);
  const policyCalendar = ruleset.calendars.get(policy.calendar);
  if (!policyCalendar) throw new Error(`SLA policy ${policy.id} names unknown calendar ${policy.calendar}`);
  // A rule may move the clock to another calendar, but never narrows a 24/7 policy.
  const calendarOverride = firstParam<string>(fired.sla, 'calendar');
  const calendar =
    policyCalendar.alwaysOpen || calendarOverride === undefined
      ? policyCalendar
      : (ruleset.calendars.get(calendarOverride) ?? policyCalendar);
  const firstResponseDueAt = addBusinessMinutes(calendar, complaint.receivedAt, policy.firstResponseMinutes);
  const resolutionDueAt = addBusinessMinutes(calendar, complaint.receivedAt, policy.resolutionMinutes);

  const queueId =
    firstParam<string>(fired.route, 'queue') ??
    ruleset.stages.route.defaults?.queue ??
    ruleset.queues.defaultQueue;
  const queue = ruleset.queues.queues.find((q) => q.id === queueId);
  const boost = fired.severity.reduce(
    (sum, rule) => sum + ((rule.params.priorityBoost as number | undefined) ?? 0),
    0,
  );

  const decision: TriageDecision = {
    category: facts.category as string,
    severity,
    priority: priorityScore({
      severity,
      tier,
      firstResponseDueAt,
      occurredAt: complaint.occurredAt ?? complaint.receivedAt,
      boost,
      now,
    }),
    slaPolicy: policy.id,
    calendar: calendar.id,
    firstResponseDueAt,
    resolutionDueAt,
    queue: queueId,
    skills: collect(fired.route, 'skills', queue?.skills ?? []),
    tags,
    flags,
    rulesetVersion: ruleset.version,
    firedRules: [...fired.classify, ...fired.severity, ...fired.sla, ...fired.route],
    decidedAt: now,
  };
  return { decision, trace, skippedRules, relatedComplaintIds };
}
