/**
 * Runs one stage of a compiled ruleset: marks the candidate rules from the present keys,
 * checks their guards, evaluates them in the engine's order (waiting for lookups where the
 * engine would) and assembles the fired rules and trace.
 */
import type { StageName } from '../ruleset-schemas';
import type { FiredRule } from '../triage-decision';
import type { CompiledRun, CompiledStageOutcome } from './compiled-run';
import { evaluateStep, type Guard, guardHolds, pending } from './condition-steps';
import type { CompiledRule, CompiledStage } from './stage-compiler';

/**
 * Sets the trigger bits of the rules a present key triggers (`position * 16 + bit` each), and
 * notes each rule marked for the first time in `touched`.
 */
function mark(marks: Uint16Array, touched: number[], entries: readonly number[] | undefined): void {
  if (entries === undefined) return;
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i] as number;
    const position = entry >> 4;
    const marked = marks[position] as number;
    if (marked === 0) touched.push(position);
    marks[position] = marked | (1 << (entry & 15));
  }
}

/** Whether a rule's trigger bits are all set, or those of one of its alternatives. */
function triggered(stage: CompiledStage, position: number, marked: number): boolean {
  const alternatives = stage.alternatives[position];
  if (alternatives === null || alternatives === undefined) return marked === stage.needed[position];
  for (let i = 0; i < alternatives.length; i += 1) {
    const mask = alternatives[i] as number;
    if ((marked & mask) === mask) return true;
  }
  return false;
}

/** The positions of the rules to evaluate, ascending: unindexed, triggered, guarded. */
function candidatesOf(stage: CompiledStage, run: CompiledRun): number[] {
  const { facts, marks } = run;
  // The rules some trigger marked: only they are looked at, not every rule of the stage.
  const touched: number[] = [];
  for (const { fact, positions } of stage.keywordTriggers) {
    const value = facts[fact];
    if (typeof value !== 'string') continue;
    const hits = run.scan(value);
    for (let i = 0; i < hits.length; i += 1) mark(marks, touched, positions.get(hits[i] as number));
  }
  for (const { fact, positions } of stage.equalTriggers) mark(marks, touched, positions.get(facts[fact]));
  for (const { fact, positions } of stage.memberTriggers) {
    const value = facts[fact];
    if (Array.isArray(value))
      for (const item of value as unknown[]) mark(marks, touched, positions.get(item));
  }
  const { readBits } = stage;
  for (const { read, positions, all } of stage.readTriggers) {
    // Read only if a rule could then have every trigger (reads are cheap, not free).
    let useful = false;
    for (let i = 0; i < all.length && !useful; i += 1) {
      const position = (all[i] as number) >> 4;
      useful = triggered(stage, position, (marks[position] as number) | (readBits[position] as number));
    }
    if (!useful) continue;
    let value: unknown;
    try {
      value = read.get(run);
    } catch {
      // The evaluation will fail as the engine's does: consider every rule.
      value = pending;
    }
    mark(marks, touched, value === pending ? all : positions.get(value));
  }
  const { always, guarded, guards } = stage;
  // Rules always evaluated or behind a guard only have no triggers, so none is in `touched`.
  const candidates: number[] = always.slice();
  for (let i = 0; i < guarded.length; i += 1) {
    const position = guarded[i] as number;
    if (guardHolds(guards[position] as Guard, run)) candidates.push(position);
  }
  for (let i = 0; i < touched.length; i += 1) {
    const position = touched[i] as number;
    const marked = marks[position] as number;
    marks[position] = 0;
    if (triggered(stage, position, marked)) {
      // Every trigger present: the guard, a cheap necessary condition, decides.
      const guard = guards[position];
      if (guard === null || guard === undefined || guardHolds(guard, run)) candidates.push(position);
    }
  }
  sortPositions(candidates);
  // A skipped rule still starts the lookups the engine would have made evaluating it; if that
  // throws, the rule is evaluated instead (and fails as it would in the engine). Once every
  // value those lookups read is known or in flight, touching them again changes nothing.
  if (stage.touching.length === 0) return candidates;
  let checked = -1;
  let added = false;
  for (const position of stage.touching) {
    if (stage.touchesSkippable && run.computedEpoch !== checked) {
      // Checked again only once a touch has computed or started something.
      checked = run.computedEpoch;
      if (run.knowsAll(stage.touchReads)) break;
    }
    if (contains(candidates, position)) continue;
    const rule = stage.rules[position] as CompiledRule;
    // Nor does touching a rule whose own reads are all known (cheaper to check than to touch).
    if (stage.touchesSkippable && run.knowsAll(rule.touchReads)) continue;
    try {
      for (const { touch } of rule.touches) touch(run);
    } catch {
      candidates.push(position);
      added = true;
    }
  }
  if (added) sortPositions(candidates);
  return candidates;
}

/** Sorts positions ascending in place: an insertion sort, as candidates are few and mostly in order. */
function sortPositions(positions: number[]): void {
  for (let i = 1; i < positions.length; i += 1) {
    const value = positions[i] as number;
    let j = i - 1;
    while (j >= 0 && (positions[j] as number) > value) {
      positions[j + 1] = positions[j] as number;
      j -= 1;
    }
    positions[j + 1] = value;
  }
}

function contains(sorted: readonly number[], value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = sorted[middle] as number;
    if (at === value) return true;
    if (at < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** The rules of one stage evaluated so far: positions, results and leaf traces, in step. */
interface StageResults {
  positions: number[];
  results: unknown[];
  conditions: unknown[];
}

/**
 * Evaluates the rules at `positions` into `done` and returns those waiting for a lookup. Rules
 * of a stage cannot influence each other (facts change only between stages), so they are
 * evaluated in one pass; a rule waiting for a lookup is evaluated again once it settled.
 */
function evaluateRules(
  rules: readonly CompiledRule[],
  positions: readonly number[],
  run: CompiledRun,
  done: StageResults,
): number[] {
  const waiting: number[] = [];
  // One state for every rule: cleared after each.
  const state = run.ruleState;
  for (let i = 0; i < positions.length; i += 1) {
    const position = positions[i] as number;
    const rule = rules[position] as CompiledRule;
    const result = evaluateStep(rule.step, run, state);
    if (result === pending) {
      waiting.push(position);
    } else {
      done.positions.push(position);
      done.results.push(result);
      done.conditions.push(state[rule.topNode] ?? rule.template);
    }
    // A loop, not fill(): rules have a handful of nodes, less than a builtin call costs.
    for (let node = 0; node < rule.nodeCount; node += 1) state[node] = undefined;
  }
  return waiting;
}

/**
 * The stage's fired rules, in the engine's order (priority, then file order), and its evaluated
 * rules' entries appended to the run's trace in that order.
 */
function assembleStage(
  stage: CompiledStage,
  stageName: StageName,
  run: CompiledRun,
  done: StageResults,
): CompiledStageOutcome {
  const { rules } = stage;
  const { trace } = run;
  const { positions, results, conditions } = done;
  let order: number[] | undefined;
  for (let i = 1; i < positions.length; i += 1) {
    if ((positions[i] as number) < (positions[i - 1] as number)) {
      // Rules evaluated again after a lookup come last; put them back in place.
      order = positions
        .map((_, index) => index)
        .sort((a, b) => (positions[a] as number) - (positions[b] as number));
      break;
    }
  }
  const fired: FiredRule[] = [];
  for (let k = 0; k < positions.length; k += 1) {
    const i = order === undefined ? k : (order[k] as number);
    const position = positions[i] as number;
    const result = results[i];
    const rule = rules[position] as CompiledRule;
    if (result) {
      fired.push({ stage: stageName, rule: rule.name, priority: rule.priority, params: rule.params });
    }
    trace.push({
      stage: stageName,
      rule: rule.name,
      fired: result as boolean,
      conditions: conditions[i],
    });
  }
  return { fired };
}

async function finishStage(
  stage: CompiledStage,
  stageName: StageName,
  run: CompiledRun,
  done: StageResults,
  waiting: number[],
): Promise<CompiledStageOutcome> {
  let remaining = waiting;
  do {
    await run.settleLookups();
    remaining = evaluateRules(stage.rules, remaining, run, done);
  } while (remaining.length > 0);
  return assembleStage(stage, stageName, run, done);
}

export function runStage(
  stage: CompiledStage,
  stageName: StageName,
  run: CompiledRun,
): CompiledStageOutcome | Promise<CompiledStageOutcome> {
  const done: StageResults = { positions: [], results: [], conditions: [] };
  const candidates = candidatesOf(stage, run);
  // Lookups in flight (started by this stage's skipped rules or an earlier stage): let them
  // settle first rather than evaluate the rules needing them twice.
  if (run.hasLookups()) return finishStage(stage, stageName, run, done, candidates);
  const waiting = evaluateRules(stage.rules, candidates, run, done);
  return waiting.length === 0 && !run.hasLookups()
    ? assembleStage(stage, stageName, run, done)
    : finishStage(stage, stageName, run, done, waiting);
}
