/**
 * What an evaluation runs: every condition compiled to a {@link Step} and every guard to a
 * {@link Guard}, each one class of one shape, walked by one function (evaluateStep(),
 * guardHolds()) that records the engine's trace as it goes. The hot path of an evaluation:
 * the classes, their const enums and the functions that switch on them stay in this one file
 * (docs/adr/0005-compiled-rules-evaluator.md, "File layout").
 */
import type { Evaluator } from '../operators/operator-catalogue';
import type { CompiledRun } from './compiled-run';
import { deepFreeze } from './json-values';

/**
 * The result of a condition that needs a lookup still in flight: evaluation stops where
 * json-rules-engine would wait, and the rule is evaluated again once lookups have settled.
 */
// Here rather than with the run: evaluateStep() compares with it at every condition, and a
// value imported from another module is read through that module's exports (a getter under
// tsx) each time.
export const pending: unique symbol = Symbol('pending');

/**
 * The trace objects of one rule evaluation, by node number (pre-order): a leaf's once it is
 * evaluated, a boolean node's once it has a result and some child recorded one.
 */
export type RuleState = (Record<string, unknown> | undefined)[];

/** Evaluates a condition: its result, or {@link pending}. */
export type Evaluate = (run: CompiledRun, state: RuleState) => unknown;

export const enum StepKind {
  /** `all` / `any`. */
  Group,
  Not,
  /** `containsAny` / `containsAll` (or `not:`) answered from the keyword scan. */
  Keyword,
  /** A stage fact against a literal value. */
  Direct,
  /** Anything else: a closure (computed facts, paths, fact references, unknown operators). */
  Closure,
}

/** The key order of a leaf's trace when every result is defined (see {@link leafTrace}). */
const enum LeafShape {
  /** Priority or name present: built key by key. */
  General,
  Plain,
  Params,
  Path,
  ParamsAndPath,
}

const enum GroupShape {
  All,
  Any,
  Not,
  NamedAll,
  NamedAny,
  NamedNot,
}

export class Step {
  constructor(
    readonly kind: StepKind,
    /** Where the node's trace is recorded in the {@link RuleState}. */
    readonly node: number,
    /** Its trace with nothing evaluated (frozen, shared). */
    readonly template: unknown,
    /** all / any / not: a parent converts its result with `=== true` (evaluateCondition()). */
    readonly isBoolean: boolean,
    /** all / any / not: the children, as written (a `not` has one). */
    readonly children: readonly Step[],
    /** all / any: the children grouped by priority, highest first. */
    readonly sets: readonly (readonly Step[])[],
    readonly isAny: boolean,
    /** all / any / not: the shape of its trace, and its priority and name. */
    readonly groupShape: GroupShape,
    readonly groupPriority: number,
    readonly name: unknown,
    /** Leaves: the condition as written, for the trace. */
    readonly fact: unknown,
    readonly operator: unknown,
    readonly value: unknown,
    readonly params: unknown,
    readonly path: unknown,
    readonly leafPriority: unknown,
    readonly leafShape: LeafShape,
    /** Direct leaves: the operator. */
    readonly evaluator: Evaluator | null,
    /** Keyword leaves: which keyword condition it is, how many keywords it needs, negated. */
    readonly keywordLeaf: number,
    readonly needed: number,
    readonly negated: boolean,
    /** Closure leaves (and references): the evaluation. */
    readonly closure: Evaluate | null,
    /** Direct leaves: a built-in operator applied inline, or a call of `evaluator`. */
    readonly direct: DirectOperator,
  ) {}
}

const enum DirectOperator {
  Call,
  Equal,
  NotEqual,
  /** `in` / `notIn` a literal list. */
  In,
  NotIn,
}

/** A direct leaf's operator on its fact's value (engine-default-operators.js for the inline ones). */
function applyDirect(step: Step, factValue: unknown, now: number): unknown {
  switch (step.direct) {
    case DirectOperator.Equal:
      return factValue === step.value;
    case DirectOperator.NotEqual:
      return factValue !== step.value;
    case DirectOperator.In:
      return (step.value as unknown[]).indexOf(factValue) > -1;
    case DirectOperator.NotIn:
      return (step.value as unknown[]).indexOf(factValue) === -1;
    default:
      return (step.evaluator as Evaluator)(factValue, step.value, now);
  }
}

function directOperator(operator: unknown, value: unknown): DirectOperator {
  if (operator === 'equal') return DirectOperator.Equal;
  if (operator === 'notEqual') return DirectOperator.NotEqual;
  if (operator === 'in' && Array.isArray(value)) return DirectOperator.In;
  if (operator === 'notIn' && Array.isArray(value)) return DirectOperator.NotIn;
  return DirectOperator.Call;
}

export interface LeafFields {
  fact: unknown;
  operator: unknown;
  value: unknown;
  params: unknown;
  path: unknown;
  priority: unknown;
  name: unknown;
}

export function leafStep(
  kind: StepKind,
  node: number,
  template: unknown,
  leaf: LeafFields,
  extra: {
    evaluator?: Evaluator;
    keywordLeaf?: number;
    needed?: number;
    negated?: boolean;
    closure?: Evaluate;
  },
): Step {
  const { fact, operator, value, params, path, priority, name } = leaf;
  let shape: LeafShape;
  if (priority || name) shape = LeafShape.General;
  else if (params && path) shape = LeafShape.ParamsAndPath;
  else if (params) shape = LeafShape.Params;
  else if (path) shape = LeafShape.Path;
  else shape = LeafShape.Plain;
  return new Step(
    kind,
    node,
    template,
    false,
    [],
    [],
    false,
    GroupShape.All,
    1,
    name,
    fact,
    operator,
    value,
    params,
    path,
    priority,
    shape,
    extra.evaluator ?? null,
    extra.keywordLeaf ?? -1,
    extra.needed ?? 0,
    extra.negated ?? false,
    extra.closure ?? null,
    kind === StepKind.Direct ? directOperator(operator, value) : DirectOperator.Call,
  );
}

export function groupStep(
  kind: StepKind.Group | StepKind.Not,
  node: number,
  template: unknown,
  children: readonly Step[],
  sets: readonly (readonly Step[])[],
  key: 'all' | 'any' | 'not',
  priority: number,
  name: unknown,
): Step {
  const shapes = { all: GroupShape.All, any: GroupShape.Any, not: GroupShape.Not };
  const named = { all: GroupShape.NamedAll, any: GroupShape.NamedAny, not: GroupShape.NamedNot };
  return new Step(
    kind,
    node,
    template,
    true,
    children,
    sets,
    key === 'any',
    name ? named[key] : shapes[key],
    priority,
    name,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    LeafShape.General,
    null,
    -1,
    0,
    false,
    null,
    DirectOperator.Call,
  );
}

/**
 * Condition.toJSON() of a leaf, in its key order: priority, name, operator, value, fact, then
 * factResult, valueResult and result when defined, params, path. The common shapes (no
 * priority or name, every result defined) are object literals of a fixed shape.
 */
export function leafTrace(
  step: Step,
  factResult: unknown,
  valueResult: unknown,
  result: unknown,
): Record<string, unknown> {
  const { operator, value, fact, params, path } = step;
  if (factResult !== undefined && valueResult !== undefined && result !== undefined) {
    switch (step.leafShape) {
      case LeafShape.Plain:
        return { operator, value, fact, factResult, valueResult, result };
      case LeafShape.Params:
        return { operator, value, fact, factResult, valueResult, result, params };
      case LeafShape.Path:
        return { operator, value, fact, factResult, valueResult, result, path };
      case LeafShape.ParamsAndPath:
        return { operator, value, fact, factResult, valueResult, result, params, path };
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  if (step.leafPriority) out.priority = step.leafPriority;
  if (step.name) out.name = step.name;
  out.operator = operator;
  out.value = value;
  out.fact = fact;
  if (factResult !== undefined) out.factResult = factResult;
  if (valueResult !== undefined) out.valueResult = valueResult;
  if (result !== undefined) out.result = result;
  if (params) out.params = params;
  if (path) out.path = path;
  return out;
}

/*
 * Templates — the traces of conditions nothing evaluated — are built by functions of their own
 * rather than by leafTrace() / groupTrace(): V8 decides per allocation site whether objects are
 * long-lived enough to be allocated in the old generation directly, and the compiled ruleset's
 * templates (kept forever) would make it move every evaluation's short-lived trace objects
 * there too, where only full garbage collections reclaim them.
 */

/** The trace of a leaf nothing evaluated: Condition.toJSON() without results. */
export function leafTemplate(leaf: LeafFields): Record<string, unknown> {
  const template: Record<string, unknown> = {};
  if (leaf.priority) template.priority = leaf.priority;
  if (leaf.name) template.name = leaf.name;
  template.operator = leaf.operator;
  template.value = leaf.value;
  template.fact = leaf.fact;
  if (leaf.params) template.params = leaf.params;
  if (leaf.path) template.path = leaf.path;
  return deepFreeze(template);
}

/** The trace of an all / any / not nothing evaluated under. */
export function groupTemplate(
  key: 'all' | 'any' | 'not',
  priority: number,
  name: unknown,
  body: unknown,
): unknown {
  const template: Record<string, unknown> = { priority };
  if (name) template.name = name;
  template[key] = body;
  return deepFreeze(template);
}

/** A boolean condition's JSON: priority (default 1), name, then its operator's children. */
function groupTrace(step: Step, body: unknown): Record<string, unknown> {
  const priority = step.groupPriority;
  const name = step.name;
  switch (step.groupShape) {
    case GroupShape.All:
      return { priority, all: body };
    case GroupShape.Any:
      return { priority, any: body };
    case GroupShape.Not:
      return { priority, not: body };
    case GroupShape.NamedAll:
      return { priority, name, all: body };
    case GroupShape.NamedAny:
      return { priority, name, any: body };
    default:
      return { priority, name, not: body };
  }
}

/**
 * Records a boolean node's trace once it has a result: its children's traces, those not
 * evaluated (a later priority set, say) as their templates. A node none of whose children
 * recorded anything keeps its shared template (nothing is recorded).
 */
function recordGroup(step: Step, state: RuleState): void {
  const { children } = step;
  let evaluated = false;
  for (let i = 0; i < children.length; i += 1) {
    if (state[(children[i] as Step).node] !== undefined) {
      evaluated = true;
      break;
    }
  }
  if (!evaluated) return;
  if (step.kind === StepKind.Not) {
    const child = children[0] as Step;
    state[step.node] = groupTrace(step, state[child.node] ?? child.template);
    return;
  }
  const traces = new Array<unknown>(children.length);
  for (let i = 0; i < children.length; i += 1) {
    const child = children[i] as Step;
    traces[i] = state[child.node] ?? child.template;
  }
  state[step.node] = groupTrace(step, traces);
}

/** Whether a keyword leaf's fact value holds enough of its keywords. */
function keywordHolds(step: Step, run: CompiledRun, factValue: unknown): boolean {
  // The operator's own order: its fact validator (a string), then the keyword test.
  const found =
    typeof factValue === 'string' &&
    step.keywordLeaf >= 0 &&
    run.keywordCount(step.fact as string, factValue, step.keywordLeaf) >= step.needed;
  return step.negated ? !found : found;
}

/**
 * Evaluates a condition as json-rules-engine does (rule.js, condition.js): its raw result (a
 * boolean node's all/any/not result, a leaf's operator result), or {@link pending}. Records
 * the traces of what it evaluated into `state`.
 */
export function evaluateStep(step: Step, run: CompiledRun, state: RuleState): unknown {
  switch (step.kind) {
    case StepKind.Keyword: {
      const factValue = run.facts[step.fact as string];
      const result = keywordHolds(step, run, factValue);
      state[step.node] = leafTrace(step, factValue, step.value, result);
      return result;
    }
    case StepKind.Direct: {
      const factValue = run.facts[step.fact as string];
      const result = applyDirect(step, factValue, run.now);
      state[step.node] = leafTrace(step, factValue, step.value, result);
      return result;
    }
    case StepKind.Not: {
      const child = step.children[0] as Step;
      const outcome = evaluateStep(child, run, state);
      if (outcome === pending) return pending;
      recordGroup(step, state);
      return !(child.isBoolean ? outcome === true : outcome);
    }
    case StepKind.Group: {
      const result = evaluateGroup(step, run, state);
      if (result !== pending) recordGroup(step, state);
      return result;
    }
    default:
      return (step.closure as Evaluate)(run, state);
  }
}

/** rule.js prioritizeAndRun() for `all` / `any`. */
function evaluateGroup(step: Step, run: CompiledRun, state: RuleState): unknown {
  const { children, sets, isAny } = step;
  if (children.length === 0) return true;
  if (children.length === 1) {
    const child = children[0] as Step;
    const outcome = evaluateStep(child, run, state);
    if (outcome === pending) return pending;
    return child.isBoolean ? outcome === true : outcome;
  }
  let result = !isAny;
  for (let s = 0; s < sets.length; s += 1) {
    // any: a true set settles it; all: a false one does.
    if (isAny ? result : !result) return result;
    const set = sets[s] as readonly Step[];
    let combined = !isAny;
    let waiting = false;
    // Every condition of a set is evaluated, whatever the others give. A child's result
    // counts when it is exactly true (a boolean child's `=== true` changes nothing there).
    for (let i = 0; i < set.length; i += 1) {
      const outcome = evaluateStep(set[i] as Step, run, state);
      if (outcome === pending) waiting = true;
      else if (isAny ? outcome === true : outcome !== true) combined = isAny;
    }
    if (waiting) return pending;
    result = combined;
  }
  return result;
}

export const enum GuardKind {
  All,
  Any,
  Keyword,
  Direct,
  Closure,
}

/**
 * A necessary condition checked by evaluating it: when false the node cannot be true. Built
 * only from side-effect-free leaves; one that throws counts as true (the evaluation decides).
 */
export class Guard {
  constructor(
    readonly kind: GuardKind,
    /** Stage facts cost next to nothing; computed facts (time zones, calendars) more. */
    readonly cost: number,
    /** All / Any: the parts, cheapest first. */
    readonly parts: readonly Guard[],
    /** Keyword / Direct: the leaf. */
    readonly step: Step | null,
    readonly holds: ((run: CompiledRun) => boolean) | null,
  ) {}
}

export function guardHolds(guard: Guard, run: CompiledRun): boolean {
  switch (guard.kind) {
    case GuardKind.All: {
      const { parts } = guard;
      for (let i = 0; i < parts.length; i += 1) if (!guardHolds(parts[i] as Guard, run)) return false;
      return true;
    }
    case GuardKind.Any: {
      const { parts } = guard;
      for (let i = 0; i < parts.length; i += 1) if (guardHolds(parts[i] as Guard, run)) return true;
      return false;
    }
    case GuardKind.Keyword: {
      const step = guard.step as Step;
      return keywordHolds(step, run, run.facts[step.fact as string]);
    }
    case GuardKind.Direct: {
      const step = guard.step as Step;
      try {
        return Boolean(applyDirect(step, run.facts[step.fact as string], run.now));
      } catch {
        return true;
      }
    }
    default:
      return (guard.holds as (run: CompiledRun) => boolean)(run);
  }
}
