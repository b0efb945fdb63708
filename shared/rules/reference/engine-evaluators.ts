/**
 * The reference evaluators: json-rules-engine itself, run the way its documentation shows.
 * The differential tests check {@link evaluateComplaint} against them and the benchmark uses
 * them as its baseline. Not part of @triage/rules' public door nor of its build: tests and
 * bench/ import this file by path.
 */
import { Engine, Fact, type RuleResult } from 'json-rules-engine';
import {
  evaluateWith,
  type Evaluation,
  type EvaluationInputs,
  type StageOutcome,
  type StageRunner,
} from '../src/evaluate-complaint';
import { noHistoryFactSources, type ComplaintFacts, type FactSources } from '../src/facts';
import type { Ruleset } from '../src/load-ruleset';
import { registerOperators } from '../src/operators/custom-operators';
import { stageNames, type StageName } from '../src/ruleset-schemas';
import type { RuleTrace } from '../src/triage-decision';

/**
 * One stage's rules in an Engine, with the options and operators both engine paths use; its
 * time operators read the evaluation's now from `now`.
 */
function stageEngine(ruleset: Ruleset, stage: StageName, now: () => number): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  registerOperators(engine, now);
  for (const rule of ruleset.stages[stage].rules) {
    engine.addRule({
      name: rule.name,
      priority: rule.priority,
      conditions: rule.conditions as never,
      event: rule.event,
    });
  }
  return engine;
}

async function runEngineStage(
  ruleset: Ruleset,
  stage: StageName,
  engine: Engine,
  runtimeFacts: Record<string, unknown>,
): Promise<StageOutcome & { trace: RuleTrace[] }> {
  const order = new Map<string, number>();
  ruleset.stages[stage].rules.forEach((rule, index) => order.set(rule.name, index));
  const { results, failureResults } = await engine.run(runtimeFacts);
  const byFileOrder = (a: RuleResult, b: RuleResult) =>
    (b.priority ?? 1) - (a.priority ?? 1) ||
    (order.get(String(a.name)) ?? 0) - (order.get(String(b.name)) ?? 0);
  const fired = [...results].sort(byFileOrder).map((result) => ({
    stage,
    rule: String(result.name),
    priority: result.priority ?? 1,
    params: (result.event?.params ?? {}) as Record<string, unknown>,
  }));
  const trace = [...results, ...failureResults].sort(byFileOrder).map((result) => ({
    stage,
    rule: String(result.name),
    fired: result.result,
    conditions: (result.toJSON(false) as { conditions: unknown }).conditions,
  }));
  return { fired, trace };
}

/**
 * json-rules-engine with a fresh Engine per stage and evaluation: the engine keeps per-run
 * state and is not safe for overlapping run() calls (upstream issue #303).
 */
function freshEngineRunner(ruleset: Ruleset, inputs: EvaluationInputs): StageRunner {
  return engineRunner((stage) => {
    const engine = stageEngine(ruleset, stage, () => inputs.now.getTime());
    for (const [name, compute] of inputs.computedFacts) engine.addFact(name, compute);
    return runEngineStage(ruleset, stage, engine, inputs.facts);
  });
}

/** A runner over json-rules-engine stage runs, collecting their traces in stage order. */
function engineRunner(
  runEngine: (stage: StageName) => Promise<StageOutcome & { trace: RuleTrace[] }>,
): StageRunner {
  const trace: RuleTrace[] = [];
  return {
    run: async (stage) => {
      const outcome = await runEngine(stage);
      trace.push(...outcome.trace);
      return outcome;
    },
    trace: () => ({ trace, skippedRules: 0 }),
  };
}

/** json-rules-engine with long-lived engines; the computed facts travel as runtime facts. */
function sharedEngineRunner(
  ruleset: Ruleset,
  inputs: EvaluationInputs,
  engines: Record<StageName, Engine>,
): StageRunner {
  return engineRunner((stage) => {
    const runtimeFacts: Record<string, unknown> = { ...inputs.facts };
    for (const [name, compute] of inputs.computedFacts) runtimeFacts[name] = new Fact(name, compute);
    return runEngineStage(ruleset, stage, engines[stage], runtimeFacts);
  });
}

/**
 * The reference evaluation: json-rules-engine itself, with a fresh Engine per stage and
 * evaluation (an Engine is not safe for overlapping run() calls, upstream issue #303). Used by
 * the differential test and as the benchmark baseline; {@link evaluateComplaint} is the fast path.
 */
export function evaluateComplaintWithEngine(
  ruleset: Ruleset,
  complaint: ComplaintFacts,
  sources: FactSources = noHistoryFactSources,
  now: Date = new Date(),
): Promise<Evaluation> {
  return evaluateWith(ruleset, complaint, sources, now, (inputs) => freshEngineRunner(ruleset, inputs));
}

/** Evaluates complaints one at a time with long-lived json-rules-engine Engines. */
export type SequentialEngineEvaluator = (
  complaint: ComplaintFacts,
  sources?: FactSources,
  now?: Date,
) => Promise<Evaluation>;

/**
 * json-rules-engine used the plain way: one Engine per stage holding all its rules, `run()`
 * per complaint (the benchmark's "naive" baseline). An Engine keeps per-run state and is not
 * safe for overlapping run() calls (upstream issue #303), so the evaluator refuses a call while
 * the previous one is still running instead of silently skipping rules.
 */
export function createSequentialEngineEvaluator(ruleset: Ruleset): SequentialEngineEvaluator {
  const engines = Object.fromEntries(
    stageNames.map((stage) => [stage, stageEngine(ruleset, stage, () => evaluationNow)]),
  ) as Record<StageName, Engine>;
  // The now of the evaluation running (never more than one: see below).
  let evaluationNow = 0;
  let running = false;
  return async (complaint, sources = noHistoryFactSources, now = new Date()) => {
    if (running) {
      throw new Error(
        'a sequential engine evaluator was called while still running: json-rules-engine engines must not be shared between concurrent evaluations',
      );
    }
    running = true;
    evaluationNow = now.getTime();
    try {
      return await evaluateWith(ruleset, complaint, sources, now, (inputs) =>
        sharedEngineRunner(ruleset, inputs, engines),
      );
    } finally {
      running = false;
    }
  };
}
