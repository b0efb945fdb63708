/**
 * The compiled form of a ruleset: every stage's json-rules-engine rules turned into plain
 * closures with json-rules-engine's semantics, plus indexes that let an evaluation skip rules
 * that cannot fire. evaluateComplaint() runs it; docs/adr/0005-compiled-rules-evaluator.md says why.
 *
 * **Same semantics as json-rules-engine 7** (rule.js, condition.js, almanac.js, operator*.js):
 * children of `all` / `any` are grouped by priority and evaluated a priority set at a time,
 * every condition of a set is evaluated, later sets are skipped once the result is settled; an
 * empty `all` or `any` is true; `not` negates; a boolean condition passes when its result is
 * exactly `true`, while a rule's result is the raw all/any/not result. Operators are the
 * engine's built-ins (same callbacks and fact validators: numeric ones accept whatever
 * `parseFloat` accepts, `contains` needs an array fact), its decorators (`someFact`,
 * `someValue`, `everyFact`, `everyValue`, `swap`, `not`) and our {@link customOperators};
 * `path` goes through jsonpath-plus like the engine's default path resolver (objects only);
 * `{ "fact": … }` values are resolved before the fact; an unknown fact is undefined
 * (`allowUndefinedFacts`); computed facts get the condition's `params` (`{}` when absent) and
 * are computed once per evaluation.
 *
 * **Keyword index.** Every `containsAny` / `containsAll` keyword goes into one
 * {@link KeywordIndex}; a fact's text is scanned once per evaluation and a keyword condition is
 * a set lookup.
 *
 * **Rule-candidate index.** For each rule the compiler derives a necessary condition: a
 * *trigger* (one of some keywords occurs in a fact, a fact equals one of some values, an array
 * fact contains a value) looked up in per-stage maps, or else a *guard* (a cheap,
 * side-effect-free leaf condition checked up front). A rule is evaluated only when its trigger
 * is present or its guard holds; rules with neither are always evaluated. A skipped rule is
 * reported `{ fired: false, skipped: 'index' }`.
 *
 * **Lookups and errors are the engine's.** History facts query the database. A rule the index
 * skips still starts the lookups the engine would have made evaluating it (those in its first
 * priority sets, which the engine always reaches); a rule whose lookups depend on values, or
 * whose evaluation could throw in the engine (e.g. `in` on a `{ "fact" }` value), is never
 * skipped. Which conditions the engine evaluates depends only on fact values, so a rule that
 * needs a lookup in flight stops where the engine would wait, and is evaluated again once the
 * lookups settled: the lookups made — and `relatedComplaintIds` — are the engine's.
 *
 * Everything here is immutable after compilation (shared parts of traces are frozen); the
 * state of one evaluation lives in a {@link CompiledRun}, so concurrent evaluations share
 * nothing mutable.
 */
import { JSONPath } from 'jsonpath-plus';
import type { FiredRule, RuleTrace } from '../complaint/triage-decision';
import type { Ruleset } from './compile-ruleset';
import { KeywordIndex, KeywordIndexBuilder, type KeywordEntry, type KeywordHits } from './keyword-index';
import { customOperators } from './operators';
import { stageNames, type StageName } from './ruleset-schemas';

/** Facts whose value is fixed for a whole stage: what `staticFacts()` returns plus stage results. */
export const stageFactNames: ReadonlySet<string> = new Set([
  'text',
  'subject',
  'body',
  'channel',
  'product',
  'language',
  'source',
  'customerId',
  'customerTier',
  'metadata',
  'sourceTags',
  'receivedAt',
  'occurredAt',
  'ageHours',
  'category',
  'severity',
  'tags',
  'flags',
]);

/** Computed facts that are pure functions of the complaint and their params (no lookups). */
export const pureComputedFactNames: ReadonlySet<string> = new Set([
  'receivedHour',
  'receivedWeekday',
  'insideBusinessHours',
]);

/** A computed fact: called with the condition's params, like a json-rules-engine dynamic fact. */
export type ComputedFact = (params: Record<string, unknown>) => unknown;

/** A rule trace entry; `skipped: 'index'` marks a rule the candidate index did not evaluate. */
export interface CompiledRuleTrace extends RuleTrace {
  skipped?: 'index';
}

/** What one stage produced, in the order json-rules-engine reports results. */
export interface CompiledStageOutcome {
  fired: FiredRule[];
  trace: CompiledRuleTrace[];
}

// ---------------------------------------------------------------------------------------
// Per-evaluation state
// ---------------------------------------------------------------------------------------

/**
 * The result of a condition that needs a lookup still in flight: evaluation stops where
 * json-rules-engine would wait, and the rule is evaluated again once lookups have settled.
 */
const pending: unique symbol = Symbol('pending');

/**
 * The state of one evaluation: the current stage's facts (the caller updates category,
 * severity, tags and flags between stages), the computed facts, and what was computed,
 * looked up or scanned so far. Never shared between evaluations.
 */
export class CompiledRun {
  /** Values of computed facts by fact and params; asynchronous ones once they have settled. */
  private readonly computedValues = new Map<string, unknown>();
  /** Lookups started and not yet settled, by the same key. */
  private readonly lookups = new Map<string, Promise<void>>();
  private readonly scans = new Map<string, KeywordHits>();
  private readonly paths = new Map<object, Map<string, unknown>>();
  private readonly counts = new Map<string, { text: string; counts: Uint16Array }>();
  /** @internal Candidate marks, one per rule of the largest stage; cleared after each use. */
  readonly marks: Uint8Array;

  constructor(
    private readonly compiled: CompiledRuleset,
    readonly facts: Record<string, unknown>,
    private readonly computed: ReadonlyMap<string, ComputedFact>,
  ) {
    this.marks = new Uint8Array(compiled.largestStage);
  }

  /** Runs one stage; synchronous unless a rule needs an asynchronous fact not yet looked up. */
  runStage(stage: StageName): CompiledStageOutcome | Promise<CompiledStageOutcome> {
    return runStage(this.compiled.stages[stage], stage, this);
  }

  /** @internal A computed fact's value for a params key, or {@link pending} while looked up. */
  computedValue(factId: string, params: Record<string, unknown>, key: string): unknown {
    if (this.computedValues.has(key)) return this.computedValues.get(key);
    if (this.lookups.has(key)) return pending;
    const compute = this.computed.get(factId);
    const value = compute === undefined ? undefined : compute(params);
    if (isThenable(value)) {
      const lookup = Promise.resolve(value).then((settled) => {
        this.computedValues.set(key, settled);
        this.lookups.delete(key);
      });
      // A failure reaches the evaluation through settleLookups(); an evaluation that failed
      // for another reason first must not leave it unhandled.
      lookup.catch(() => undefined);
      this.lookups.set(key, lookup);
      return pending;
    }
    this.computedValues.set(key, value);
    return value;
  }

  /** @internal Whether a computed fact of that name exists. */
  hasComputed(factId: string): boolean {
    return this.computed.has(factId);
  }

  /** @internal Whether lookups are in flight. */
  hasLookups(): boolean {
    return this.lookups.size > 0;
  }

  /** @internal Waits for every lookup started so far (rejects as the first failing one). */
  async settleLookups(): Promise<void> {
    await Promise.all(this.lookups.values());
  }

  /**
   * @internal jsonpath-plus, as json-rules-engine's default path resolver calls it; facts do
   * not change during an evaluation, so each (object, path) is resolved once.
   */
  resolvePath(value: object, path: string): unknown {
    let byPath = this.paths.get(value);
    if (byPath === undefined) {
      byPath = new Map();
      this.paths.set(value, byPath);
    }
    if (byPath.has(path)) return byPath.get(path);
    // JSONPath({ path, json, wrap: false }) returns a scalar by throwing it inside an Error;
    // the same evaluation without autostart returns it directly.
    const resolved: unknown = JSONPath({ path, json: value, wrap: false, autostart: false }).evaluate(
      path,
      value,
      undefined,
      undefined,
    );
    byPath.set(path, resolved);
    return resolved;
  }

  /**
   * @internal For each keyword condition on `fact`, how many of its keywords occur in `text`
   * (the fact's value), from one scan; recomputed only if the fact's value changes.
   */
  keywordCounts(fact: string, text: string): Uint16Array {
    let entry = this.counts.get(fact);
    if (entry === undefined || entry.text !== text) {
      const counts = new Uint16Array(this.compiled.keywordLeaves);
      const byPattern = this.compiled.patternLeaves.get(fact);
      if (byPattern !== undefined) {
        for (const id of this.scan(text)) {
          const leaves = byPattern.get(id);
          if (leaves !== undefined) for (const leaf of leaves) counts[leaf] = (counts[leaf] as number) + 1;
        }
      }
      entry = { text, counts };
      this.counts.set(fact, entry);
    }
    return entry.counts;
  }

  /** @internal The keywords found in a text (each text is scanned once per evaluation). */
  scan(text: string): KeywordHits {
    let hits = this.scans.get(text);
    if (hits === undefined) {
      hits = this.compiled.keywords.scan(text);
      this.scans.set(text, hits);
    }
    return hits;
  }
}

// ---------------------------------------------------------------------------------------
// Operators (engine-default-operators.js, engine-default-operator-decorators.js)
// ---------------------------------------------------------------------------------------

type Evaluator = (factValue: unknown, jsonValue: unknown) => unknown;
interface Searchable {
  indexOf(value: unknown): number;
}
interface ArrayMethods {
  some(test: (item: unknown) => unknown): boolean;
  every(test: (item: unknown) => unknown): boolean;
}

/** Operator.evaluate(): `validator(fact) && callback(fact, value)`. */
function withValidator(cb: Evaluator, validator?: (factValue: unknown) => unknown): Evaluator {
  return validator === undefined
    ? cb
    : (factValue, jsonValue) => validator(factValue) && cb(factValue, jsonValue);
}

// parseFloat(String(n)) is NaN only for NaN itself, so numbers take a shortcut.
const numberValidator = (factValue: unknown) =>
  typeof factValue === 'number'
    ? !Number.isNaN(factValue)
    : Number.parseFloat(factValue as string).toString() !== 'NaN';
const isArray = (factValue: unknown) => Array.isArray(factValue);

const operators = new Map<string, Evaluator>([
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  ['in', (a, b) => (b as Searchable).indexOf(a) > -1],
  ['notIn', (a, b) => (b as Searchable).indexOf(a) === -1],
  ['contains', withValidator((a, b) => (a as Searchable).indexOf(b) > -1, isArray)],
  ['doesNotContain', withValidator((a, b) => (a as Searchable).indexOf(b) === -1, isArray)],
  ['lessThan', withValidator((a, b) => (a as number) < (b as number), numberValidator)],
  ['lessThanInclusive', withValidator((a, b) => (a as number) <= (b as number), numberValidator)],
  ['greaterThan', withValidator((a, b) => (a as number) > (b as number), numberValidator)],
  ['greaterThanInclusive', withValidator((a, b) => (a as number) >= (b as number), numberValidator)],
]);
for (const operator of customOperators) {
  // The engine calls Operator.evaluate(), which the type declarations do not expose.
  const evaluable = operator as unknown as { evaluate(factValue: unknown, jsonValue: unknown): unknown };
  operators.set(operator.name, (factValue, jsonValue) => evaluable.evaluate(factValue, jsonValue));
}

type Decorator = (next: Evaluator) => Evaluator;
const decorators = new Map<string, Decorator>([
  ['someFact', (next) => withValidator((f, v) => (f as ArrayMethods).some((item) => next(item, v)), isArray)],
  ['someValue', (next) => (f, v) => (v as ArrayMethods).some((item) => next(f, item))],
  [
    'everyFact',
    (next) => withValidator((f, v) => (f as ArrayMethods).every((item) => next(item, v)), isArray),
  ],
  ['everyValue', (next) => (f, v) => (v as ArrayMethods).every((item) => next(f, item))],
  ['swap', (next) => (f, v) => next(v, f)],
  ['not', (next) => (f, v) => !next(f, v)],
]);

/** OperatorMap.get(): peels known decorators off the front until a known operator remains. */
function resolveOperator(name: string): Evaluator | undefined {
  const chain: Decorator[] = [];
  let rest = name;
  while (!operators.has(rest)) {
    const colon = rest.indexOf(':');
    if (colon <= 0) return undefined;
    const decorator = decorators.get(rest.slice(0, colon));
    if (decorator === undefined) return undefined;
    chain.unshift(decorator);
    rest = rest.slice(colon + 1);
  }
  let evaluator = operators.get(rest) as Evaluator;
  for (const decorate of chain) evaluator = decorate(evaluator);
  return evaluator;
}

/**
 * Whether applying the operator could throw, as the engine's built-ins do on a value of the
 * wrong type (`in` on a number, `someValue` on a non-array, anything swapped). Custom operators
 * never throw. Rule-file checks make this rare; such a rule is never skipped.
 */
function operatorMayThrow(name: string, evaluator: Evaluator | undefined, value: unknown): boolean {
  if (evaluator === undefined) return true;
  const parts = name.split(':');
  const base = parts.pop() ?? '';
  if (parts.includes('swap')) return true;
  const spreads = parts.filter((part) => part === 'someValue' || part === 'everyValue').length;
  const searches = base === 'in' || base === 'notIn';
  // Nothing is known about a { "fact": … } value's type.
  if (isFactReference(value)) return spreads > 0 || searches;
  if (spreads > 1 || (spreads === 1 && !Array.isArray(value))) return true;
  const values: readonly unknown[] = spreads === 1 ? (value as unknown[]) : [value];
  return searches && !values.every((item) => Array.isArray(item) || typeof item === 'string');
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isFactReference(value: unknown): value is { fact: unknown; params?: unknown; path?: unknown } {
  return value != null && typeof value === 'object' && Object.hasOwn(value, 'fact');
}

function isPrimitive(value: unknown): boolean {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A deep copy of JSON data (rule values and event params are parsed JSON). */
function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

type FactGetter = (run: CompiledRun) => unknown;

/** almanac.factValue(factId, params, path). */
function compileFactGetter(factId: unknown, params: unknown, path: unknown): FactGetter {
  let getter: FactGetter;
  if (typeof factId !== 'string') {
    getter = () => undefined;
  } else if (stageFactNames.has(factId)) {
    // Always present on the stage facts, never inherited names.
    getter = (run) => run.facts[factId];
  } else {
    const callParams = (params === undefined ? {} : params) as Record<string, unknown>;
    const key = `${factId}\u0000${JSON.stringify(callParams) ?? ''}`;
    getter = (run) => {
      if (Object.hasOwn(run.facts, factId)) return run.facts[factId];
      return run.hasComputed(factId) ? run.computedValue(factId, callParams, key) : undefined;
    };
  }
  if (typeof path !== 'string' || path === '') return getter;
  return (run) => {
    const value = getter(run);
    // Only objects are walked; anything else is returned as it is.
    return value != null && typeof value === 'object' ? run.resolvePath(value, path) : value;
  };
}

/** Whether reading the fact may have side effects (anything but stage and pure computed facts). */
function readsWithSideEffects(factId: unknown): boolean {
  return !(typeof factId === 'string' && (stageFactNames.has(factId) || pureComputedFactNames.has(factId)));
}

// ---------------------------------------------------------------------------------------
// Compiled conditions
// ---------------------------------------------------------------------------------------

/** The trace objects of one rule evaluation's leaves, by leaf number (pre-order). */
type RuleState = (Record<string, unknown> | undefined)[];

/** Evaluates a condition: its result, or {@link pending}. */
type Evaluate = (run: CompiledRun, state: RuleState) => unknown;

type TriggerKey =
  | { kind: 'keyword'; fact: string; pattern: number }
  | { kind: 'equal'; fact: string; value: unknown }
  | { kind: 'member'; fact: string; value: unknown };

/** A necessary condition looked up in an index: the node can only be true when a key is present. */
interface Trigger {
  keys: TriggerKey[];
  /** Rough share of complaints presenting it (lower is more selective). */
  weight: number;
}

/**
 * A necessary condition checked by evaluating it: when false the node cannot be true. Built
 * only from side-effect-free leaves; one that throws counts as true (the evaluation decides).
 */
interface Guard {
  holds: (run: CompiledRun) => boolean;
  /** Stage facts cost next to nothing; computed facts (time zones, calendars) more. */
  cost: number;
}

/** Starts a lookup the engine would make (a fact getter whose value is not needed yet). */
type Touch = (run: CompiledRun) => void;

interface CompiledNode {
  /** evaluateCondition(): a leaf's raw result, a boolean node's `result === true`. */
  evaluate: Evaluate;
  /** A boolean node's all/any/not result, which a rule reports as is. */
  evaluateRaw: Evaluate;
  /** The node's part of RuleResult.toJSON(). */
  trace: (state: RuleState) => unknown;
  /** The same with nothing evaluated (frozen, shared). */
  template: unknown;
  /** The priority its parent groups it by (a leaf's fact priority is 1 for every fact here). */
  priority: number;
  trigger: Trigger | null;
  guard: Guard | null;
  /**
   * The lookups the engine makes whenever it evaluates the node, whatever the values;
   * `null` when a lookup sits in a later priority set (made or not depending on values).
   */
  touches: Touch[] | null;
  /** Whether the engine could throw evaluating it. */
  mayThrow: boolean;
}

const keywordWeight = 0.02;
const equalityWeight = 0.2;

interface CompileContext {
  keywords: KeywordIndexBuilder;
  leafCount: number;
  /** Keyword conditions so far (numbered across the ruleset). */
  keywordLeaves: number;
  /** Per fact, per keyword pattern: the keyword conditions on that fact that list it. */
  patternLeaves: Map<string, Map<number, number[]>>;
}

function compileCondition(raw: unknown, context: CompileContext): CompiledNode {
  if (!isPlainRecord(raw)) throw new Error('a condition must be an object');
  if (Object.hasOwn(raw, 'any')) return compileBoolean(raw, 'any', context);
  if (Object.hasOwn(raw, 'all')) return compileBoolean(raw, 'all', context);
  if (Object.hasOwn(raw, 'not')) return compileNot(raw, context);
  if (Object.hasOwn(raw, 'condition')) return compileReference(raw);
  return compileLeaf(raw, context);
}

/** A shared-condition reference: no shared conditions are registered, so it throws when reached. */
function compileReference(raw: Record<string, unknown>): CompiledNode {
  const template: Record<string, unknown> = {};
  if (raw.priority) template.priority = raw.priority;
  if (raw.name) template.name = raw.name;
  template.condition = raw.condition;
  const evaluate: Evaluate = () => {
    throw new Error(`No condition ${String(raw.condition)} exists`);
  };
  return {
    evaluate,
    evaluateRaw: evaluate,
    trace: () => template,
    template: deepFreeze(template),
    priority: (raw.priority as number) || 1,
    trigger: null,
    guard: null,
    touches: [],
    mayThrow: true,
  };
}

/** A boolean condition's JSON: priority (default 1), name, then its operator's children. */
function booleanTracer(raw: Record<string, unknown>, key: string) {
  const priority = Number.parseInt(String(raw.priority), 10) || 1;
  const name = raw.name;
  const traceOf = (body: unknown): Record<string, unknown> => {
    const out: Record<string, unknown> = { priority };
    if (name) out.name = name;
    out[key] = body;
    return out;
  };
  return { priority, traceOf };
}

/** Whether any leaf numbered [from, to) was evaluated. */
function touched(state: RuleState, from: number, to: number): boolean {
  for (let leaf = from; leaf < to; leaf += 1) if (state[leaf] !== undefined) return true;
  return false;
}

function passes(evaluateRaw: Evaluate): Evaluate {
  return (run, state) => {
    const result = evaluateRaw(run, state);
    return result === pending ? pending : result === true;
  };
}

function compileNot(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const { priority, traceOf } = booleanTracer(raw, 'not');
  const firstLeaf = context.leafCount;
  const child = compileCondition(raw.not, context);
  const lastLeaf = context.leafCount;
  const evaluateRaw: Evaluate = (run, state) => {
    const result = child.evaluate(run, state);
    return result === pending ? pending : !result;
  };
  const template = deepFreeze(traceOf(child.template));
  return {
    evaluate: passes(evaluateRaw),
    evaluateRaw,
    trace: (state) => (touched(state, firstLeaf, lastLeaf) ? traceOf(child.trace(state)) : template),
    template,
    priority,
    trigger: null,
    guard: null,
    touches: child.touches,
    mayThrow: child.mayThrow,
  };
}

function compileBoolean(
  raw: Record<string, unknown>,
  operator: 'all' | 'any',
  context: CompileContext,
): CompiledNode {
  const list = raw[operator];
  if (!Array.isArray(list)) throw new Error(`"${operator}" must be an array`);
  const { priority, traceOf } = booleanTracer(raw, operator);
  const firstLeaf = context.leafCount;
  const children = (list as unknown[]).map((child) => compileCondition(child, context));
  const lastLeaf = context.leafCount;
  const evaluateRaw = prioritizeAndRun(children, operator === 'any');
  const template = deepFreeze(traceOf(children.map((child) => child.template)));
  return {
    evaluate: passes(evaluateRaw),
    evaluateRaw,
    trace: (state) => {
      if (!touched(state, firstLeaf, lastLeaf)) return template;
      const traces = new Array<unknown>(children.length);
      for (let i = 0; i < children.length; i += 1) traces[i] = (children[i] as CompiledNode).trace(state);
      return traceOf(traces);
    },
    template,
    priority,
    trigger: operator === 'all' ? allTrigger(children) : anyTrigger(children),
    guard: operator === 'all' ? allGuard(children) : anyGuard(children),
    touches: unconditionalTouches(children),
    mayThrow: children.some((child) => child.mayThrow),
  };
}

/** rule.js prioritizeConditions(): children grouped by priority, highest first. */
function prioritySets(children: CompiledNode[]): CompiledNode[][] {
  const byPriority = new Map<number, CompiledNode[]>();
  for (const child of children) {
    const set = byPriority.get(child.priority) ?? [];
    set.push(child);
    byPriority.set(child.priority, set);
  }
  return [...byPriority.entries()].sort((a, b) => b[0] - a[0]).map(([, set]) => set);
}

/** rule.js prioritizeAndRun(). */
function prioritizeAndRun(children: CompiledNode[], isAny: boolean): Evaluate {
  if (children.length === 0) return () => true;
  if (children.length === 1) return (children[0] as CompiledNode).evaluate;
  const sets = prioritySets(children);
  return (run, state) => {
    let result = !isAny;
    for (const set of sets) {
      // any: a true set settles it; all: a false one does.
      if (isAny ? result : !result) return result;
      let combined = !isAny;
      let waiting = false;
      // Every condition of a set is evaluated, whatever the others give.
      for (const child of set) {
        const outcome = child.evaluate(run, state);
        if (outcome === pending) waiting = true;
        else if (isAny ? outcome === true : outcome !== true) combined = isAny;
      }
      if (waiting) return pending;
      result = combined;
    }
    return result;
  };
}

/** The first priority set is always evaluated; later ones depending on values. */
function unconditionalTouches(children: CompiledNode[]): Touch[] | null {
  if (children.length === 0) return [];
  const [first = [], ...later] = children.length === 1 ? [children] : prioritySets(children);
  const touches: Touch[] = [];
  for (const child of first) {
    if (child.touches === null) return null;
    touches.push(...child.touches);
  }
  for (const set of later) for (const child of set) if (child.touches?.length !== 0) return null;
  return touches;
}

function allTrigger(children: CompiledNode[]): Trigger | null {
  let best: Trigger | null = null;
  for (const child of children) {
    if (child.trigger !== null && (best === null || child.trigger.weight < best.weight)) best = child.trigger;
  }
  return best;
}

function anyTrigger(children: CompiledNode[]): Trigger | null {
  if (children.length === 0) return null;
  const keys: TriggerKey[] = [];
  let weight = 0;
  for (const child of children) {
    if (child.trigger === null) return null;
    keys.push(...child.trigger.keys);
    weight += child.trigger.weight;
  }
  return { keys, weight };
}

function allGuard(children: CompiledNode[]): Guard | null {
  // Cheapest first: the first false one settles it.
  const guards = children.flatMap((child) => (child.guard === null ? [] : [child.guard]));
  if (guards.length === 0) return null;
  guards.sort((a, b) => a.cost - b.cost);
  const checks = guards.map((guard) => guard.holds);
  return {
    holds: (run) => {
      for (const holds of checks) if (!holds(run)) return false;
      return true;
    },
    cost: (guards[0] as Guard).cost,
  };
}

function anyGuard(children: CompiledNode[]): Guard | null {
  if (children.length === 0 || children.some((child) => child.guard === null)) return null;
  const guards = children.map((child) => child.guard as Guard).sort((a, b) => a.cost - b.cost);
  const checks = guards.map((guard) => guard.holds);
  return {
    holds: (run) => {
      for (const holds of checks) if (holds(run)) return true;
      return false;
    },
    cost: guards.reduce((sum, guard) => sum + guard.cost, 0),
  };
}

function compileLeaf(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const leafIndex = context.leafCount;
  context.leafCount += 1;
  const { fact, operator, params, path, name } = raw;
  const value: unknown = deepFreeze(copyJson(raw.value));
  const frozenParams: unknown = deepFreeze(copyJson(params));
  const priority = raw.priority === undefined ? undefined : Number.parseInt(String(raw.priority), 10);
  const operatorName = String(operator);
  const evaluator = resolveOperator(operatorName);
  const valueIsReference = isFactReference(value);

  /** Condition.toJSON() of a leaf, in its key order. */
  const traceOf = (factResult: unknown, valueResult: unknown, result: unknown): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (priority) out.priority = priority;
    if (name) out.name = name;
    out.operator = operator;
    out.value = value;
    out.fact = fact;
    if (factResult !== undefined) out.factResult = factResult;
    if (valueResult !== undefined) out.valueResult = valueResult;
    if (result !== undefined) out.result = result;
    if (frozenParams) out.params = frozenParams;
    if (path) out.path = path;
    return out;
  };
  const template = deepFreeze(traceOf(undefined, undefined, undefined));
  const trace = (state: RuleState) => state[leafIndex] ?? template;
  const shared = { trace, template, priority: priority || 1 };

  const keywordLeaf = compileKeywordLeaf(raw, value, context);
  if (keywordLeaf !== undefined) {
    const { test, trigger } = keywordLeaf;
    const evaluate: Evaluate = (run, state) => {
      const factValue = run.facts[fact as string];
      const result = typeof factValue === 'string' && test(run, factValue);
      state[leafIndex] = traceOf(factValue, value, result);
      return result;
    };
    const holds = (run: CompiledRun) => {
      const factValue = run.facts[fact as string];
      return typeof factValue === 'string' && test(run, factValue);
    };
    return {
      ...shared,
      evaluate,
      evaluateRaw: evaluate,
      trigger,
      guard: { holds, cost: 1 },
      touches: [],
      mayThrow: false,
    };
  }

  const getFact = compileFactGetter(fact, params, path);
  const getValue: FactGetter = isFactReference(value)
    ? compileFactGetter(value.fact, value.params, value.path)
    : () => value;
  const evaluate: Evaluate = (run, state) => {
    if (evaluator === undefined) throw new Error(`Unknown operator: ${operatorName}`);
    // condition.evaluate(): the value is looked up first, then the fact; both are started.
    const jsonValue = getValue(run);
    const factValue = getFact(run);
    if (jsonValue === pending || factValue === pending) return pending;
    const result = evaluator(factValue, jsonValue);
    state[leafIndex] = traceOf(factValue, jsonValue, result);
    return result;
  };
  const referencedFact = valueIsReference ? (value as { fact: unknown }).fact : undefined;
  const sideEffects =
    readsWithSideEffects(fact) || (valueIsReference && readsWithSideEffects(referencedFact));
  const onStageFacts =
    typeof fact === 'string' &&
    stageFactNames.has(fact) &&
    (!valueIsReference || (typeof referencedFact === 'string' && stageFactNames.has(referencedFact)));
  const guard: Guard | null =
    sideEffects || evaluator === undefined
      ? null
      : {
          holds: (run) => {
            try {
              const jsonValue = getValue(run);
              const factValue = getFact(run);
              return (
                jsonValue === pending || factValue === pending || Boolean(evaluator(factValue, jsonValue))
              );
            } catch {
              return true;
            }
          },
          cost: onStageFacts ? 1 : 20,
        };
  return {
    ...shared,
    evaluate,
    evaluateRaw: evaluate,
    trigger: path === undefined && !valueIsReference ? equalityTrigger(fact, operatorName, value) : null,
    guard,
    touches:
      sideEffects && evaluator !== undefined
        ? [
            (run) => {
              getValue(run);
              getFact(run);
            },
          ]
        : [],
    mayThrow: operatorMayThrow(operatorName, evaluator, value),
  };
}

function equalityTrigger(fact: unknown, operator: string, value: unknown): Trigger | null {
  if (typeof fact !== 'string' || !stageFactNames.has(fact)) return null;
  if (operator === 'equal' && isPrimitive(value)) {
    return { keys: [{ kind: 'equal', fact, value }], weight: equalityWeight };
  }
  if (operator === 'in' && Array.isArray(value) && value.length > 0 && value.every(isPrimitive)) {
    return {
      keys: value.map((item: unknown) => ({ kind: 'equal', fact, value: item }) as const),
      weight: equalityWeight * value.length,
    };
  }
  if (operator === 'contains' && isPrimitive(value)) {
    return { keys: [{ kind: 'member', fact, value }], weight: equalityWeight };
  }
  return null;
}

/**
 * `containsAny` / `containsAll` on a stage fact with a literal keyword list, answered from the
 * keyword scan under the operator's own rules: the fact must be a string, the list a non-empty
 * array of strings; `containsAll` is false when a keyword is blank.
 */
function compileKeywordLeaf(
  raw: Record<string, unknown>,
  value: unknown,
  context: CompileContext,
): { test: (run: CompiledRun, text: string) => boolean; trigger: Trigger | null } | undefined {
  const { fact, operator, path } = raw;
  if (operator !== 'containsAny' && operator !== 'containsAll') return undefined;
  if (typeof fact !== 'string' || !stageFactNames.has(fact) || path !== undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const keywords: readonly unknown[] = value;
  if (!keywords.every((keyword): keyword is string => typeof keyword === 'string')) return undefined;
  const entries: KeywordEntry[] = (keywords as string[]).map((keyword) => context.keywords.add(keyword));
  if (entries.some((entry) => entry.kind === 'unindexable')) return undefined;
  const ids = [...new Set(entries.flatMap((entry) => (entry.kind === 'pattern' ? [entry.id] : [])))];
  const hasBlank = entries.some((entry) => entry.kind === 'blank');
  const matchAll = operator === 'containsAll';
  if (ids.length === 0 || (matchAll && hasBlank)) return { test: () => false, trigger: null };

  // The condition holds when enough of its keywords were found: one, or all of them.
  const leaf = context.keywordLeaves;
  context.keywordLeaves += 1;
  let byPattern = context.patternLeaves.get(fact);
  if (byPattern === undefined) {
    byPattern = new Map();
    context.patternLeaves.set(fact, byPattern);
  }
  for (const id of ids) {
    const leaves = byPattern.get(id);
    if (leaves === undefined) byPattern.set(id, [leaf]);
    else leaves.push(leaf);
  }
  const needed = matchAll ? ids.length : 1;
  const test = (run: CompiledRun, text: string) => (run.keywordCounts(fact, text)[leaf] as number) >= needed;

  if (matchAll) {
    // Any one keyword is necessary; the longest is likely the rarest.
    const rarest = ids.reduce((a, b) =>
      context.keywords.lengthOf(b) > context.keywords.lengthOf(a) ? b : a,
    );
    return { test, trigger: { keys: [{ kind: 'keyword', fact, pattern: rarest }], weight: keywordWeight } };
  }
  return {
    test,
    trigger: {
      keys: ids.map((pattern) => ({ kind: 'keyword', fact, pattern }) as const),
      weight: keywordWeight * ids.length,
    },
  };
}

// ---------------------------------------------------------------------------------------
// Rules and stages
// ---------------------------------------------------------------------------------------

interface CompiledRule {
  name: string;
  priority: number;
  leafCount: number;
  /** The rule's result as rule.evaluate() reports it (the raw all/any/not result). */
  evaluate: Evaluate;
  conditions: (state: RuleState) => unknown;
  /** Its trace entry when the index skips it (frozen, shared). */
  skippedEntry: Readonly<CompiledRuleTrace>;
  params: Record<string, unknown>;
  /** Evaluated for every complaint: no trigger or guard, a value-dependent lookup, or may throw. */
  always: boolean;
  trigger: Trigger | null;
  /** Checked before the rule is evaluated (for every complaint when it has no trigger). */
  guard: Guard | null;
  /** The lookups to start when the rule is skipped. */
  touches: Touch[];
}

interface CompiledStage {
  /** The rules in the order the engine reports them: priority, then file order. */
  rules: CompiledRule[];
  skippedEntries: Readonly<CompiledRuleTrace>[];
  /** Positions (in `rules`) of rules evaluated for every complaint. */
  always: number[];
  /** Positions of rules evaluated when their guard holds. */
  guarded: number[];
  /** The guard of each rule, by position. */
  guards: (Guard | null)[];
  /** Positions of skippable rules that make lookups (made even when skipped). */
  touching: number[];
  keywordTriggers: Map<string, Map<number, number[]>>;
  equalTriggers: Map<string, Map<unknown, number[]>>;
  memberTriggers: Map<string, Map<unknown, number[]>>;
}

/** A ruleset compiled for evaluation. Immutable; see {@link compiledRulesetOf}. */
export interface CompiledRuleset {
  stages: { [K in StageName]: CompiledStage };
  keywords: KeywordIndex;
  /** The number of rules of the largest stage. */
  largestStage: number;
  /** How many keyword conditions the ruleset has, and which keyword patterns each one lists. */
  keywordLeaves: number;
  patternLeaves: Map<string, Map<number, number[]>>;
  /** Per stage: rules always evaluated, rules behind a guard, rules behind an index trigger. */
  summary: { [K in StageName]: { always: number; guarded: number; indexed: number } };
}

function compileRule(
  stage: StageName,
  rule: { name: string; priority?: number; conditions: unknown; event: { params?: unknown } },
  context: CompileContext,
): CompiledRule {
  context.leafCount = 0;
  const top = compileCondition(rule.conditions, context);
  const touches = top.touches;
  return {
    name: rule.name,
    priority: Number.parseInt(String(rule.priority || 1), 10),
    leafCount: context.leafCount,
    evaluate: top.evaluateRaw,
    conditions: top.trace,
    skippedEntry: Object.freeze({
      stage,
      rule: rule.name,
      fired: false,
      skipped: 'index' as const,
      conditions: top.template,
    }),
    params: deepFreeze(copyJson((rule.event.params ?? {}) as Record<string, unknown>)),
    always: top.mayThrow || touches === null || (top.trigger === null && top.guard === null),
    trigger: top.trigger,
    guard: top.guard,
    touches: touches ?? [],
  };
}

function addTo<K>(map: Map<K, number[]>, key: K, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else if (list[list.length - 1] !== position) list.push(position);
}

function compileStage(stage: StageName, rules: readonly unknown[], context: CompileContext): CompiledStage {
  const compiled = rules
    .map((rule, index) => ({
      rule: compileRule(stage, rule as Parameters<typeof compileRule>[1], context),
      index,
    }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
  const triggers = {
    keyword: new Map<string, Map<number, number[]>>(),
    equal: new Map<string, Map<unknown, number[]>>(),
    member: new Map<string, Map<unknown, number[]>>(),
  };
  const forFact = <K>(maps: Map<string, Map<K, number[]>>, fact: string): Map<K, number[]> => {
    let map = maps.get(fact);
    if (map === undefined) {
      map = new Map();
      maps.set(fact, map);
    }
    return map;
  };
  const always: number[] = [];
  const guarded: number[] = [];
  const touching: number[] = [];
  compiled.forEach((rule, position) => {
    if (rule.always) {
      always.push(position);
      return;
    }
    if (rule.touches.length > 0) touching.push(position);
    if (rule.trigger === null) {
      guarded.push(position);
      return;
    }
    for (const key of rule.trigger.keys) {
      if (key.kind === 'keyword') addTo(forFact(triggers.keyword, key.fact), key.pattern, position);
      else if (key.kind === 'equal') addTo(forFact(triggers.equal, key.fact), key.value, position);
      else addTo(forFact(triggers.member, key.fact), key.value, position);
    }
  });
  return {
    rules: compiled,
    skippedEntries: compiled.map((rule) => rule.skippedEntry),
    always,
    guarded,
    guards: compiled.map((rule) => (rule.always ? null : rule.guard)),
    touching,
    keywordTriggers: triggers.keyword,
    equalTriggers: triggers.equal,
    memberTriggers: triggers.member,
  };
}

const compiledRulesets = new WeakMap<Ruleset, CompiledRuleset>();

/**
 * The compiled form of a ruleset, built on first use and kept as long as the ruleset is.
 * Rulesets are immutable, so it never goes stale.
 */
export function compiledRulesetOf(ruleset: Ruleset): CompiledRuleset {
  let compiled = compiledRulesets.get(ruleset);
  if (compiled === undefined) {
    const keywords = new KeywordIndexBuilder();
    const context: CompileContext = { keywords, leafCount: 0, keywordLeaves: 0, patternLeaves: new Map() };
    const stages = Object.fromEntries(
      stageNames.map((stage) => [stage, compileStage(stage, ruleset.stages[stage].rules, context)]),
    ) as CompiledRuleset['stages'];
    const summary = Object.fromEntries(
      stageNames.map((stage) => {
        const { rules, always, guarded } = stages[stage];
        return [
          stage,
          {
            always: always.length,
            guarded: guarded.length,
            indexed: rules.length - always.length - guarded.length,
          },
        ];
      }),
    ) as CompiledRuleset['summary'];
    const largestStage = Math.max(...stageNames.map((stage) => stages[stage].rules.length));
    compiled = {
      stages,
      keywords: keywords.build(),
      largestStage,
      keywordLeaves: context.keywordLeaves,
      patternLeaves: context.patternLeaves,
      summary,
    };
    compiledRulesets.set(ruleset, compiled);
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------
// Running a stage
// ---------------------------------------------------------------------------------------

/** The positions of the rules to evaluate, ascending: unindexed, triggered, guarded. */
function candidatesOf(stage: CompiledStage, run: CompiledRun): number[] {
  const { facts, marks } = run;
  const mark = (positions: number[] | undefined) => {
    if (positions !== undefined) for (const position of positions) marks[position] = 1;
  };
  for (const [fact, byPattern] of stage.keywordTriggers) {
    const value = facts[fact];
    if (typeof value === 'string') for (const id of run.scan(value)) mark(byPattern.get(id));
  }
  for (const [fact, byValue] of stage.equalTriggers) mark(byValue.get(facts[fact]));
  for (const [fact, byValue] of stage.memberTriggers) {
    const value = facts[fact];
    if (Array.isArray(value)) for (const item of value as unknown[]) mark(byValue.get(item));
  }
  for (const position of stage.guarded) marks[position] = 1;
  for (const position of stage.always) marks[position] = 2;
  const positions: number[] = [];
  const { guards } = stage;
  for (let position = 0; position < stage.rules.length; position += 1) {
    const mark = marks[position];
    if (mark === 0) continue;
    marks[position] = 0;
    // Triggered or guarded: evaluated only when the guard (a cheap necessary condition) holds.
    const guard = guards[position];
    if (mark === 2 || guard === null || guard === undefined || guard.holds(run)) positions.push(position);
  }
  // A skipped rule still starts the lookups the engine would have made evaluating it; if that
  // throws, the rule is evaluated instead (and fails as it would in the engine).
  let added = false;
  for (const position of stage.touching) {
    if (contains(positions, position)) continue;
    try {
      for (const touch of (stage.rules[position] as CompiledRule).touches) touch(run);
    } catch {
      positions.push(position);
      added = true;
    }
  }
  if (added) positions.sort((a, b) => a - b);
  return positions;
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

function runStage(
  stage: CompiledStage,
  stageName: StageName,
  run: CompiledRun,
): CompiledStageOutcome | Promise<CompiledStageOutcome> {
  const { rules } = stage;
  const done: { position: number; result: unknown; state: RuleState }[] = [];

  // Rules of a stage cannot influence each other (facts change only between stages), so they
  // are evaluated in one pass; a rule waiting for a lookup is evaluated again once it settled.
  const evaluate = (positions: readonly number[]): number[] => {
    const waiting: number[] = [];
    for (const position of positions) {
      const rule = rules[position] as CompiledRule;
      const state: RuleState = new Array<Record<string, unknown> | undefined>(rule.leafCount);
      const result = rule.evaluate(run, state);
      if (result === pending) waiting.push(position);
      else done.push({ position, result, state });
    }
    return waiting;
  };
  const assemble = (): CompiledStageOutcome => {
    if (done.some((entry, i) => i > 0 && entry.position < (done[i - 1] as (typeof done)[number]).position)) {
      done.sort((a, b) => a.position - b.position);
    }
    const fired: FiredRule[] = [];
    const trace: CompiledRuleTrace[] = stage.skippedEntries.slice();
    for (const { position, result, state } of done) {
      const rule = rules[position] as CompiledRule;
      if (result) {
        fired.push({
          stage: stageName,
          rule: rule.name,
          priority: rule.priority,
          params: copyJson(rule.params),
        });
      }
      trace[position] = {
        stage: stageName,
        rule: rule.name,
        fired: result as boolean,
        conditions: rule.conditions(state),
      };
    }
    return { fired, trace };
  };
  const finish = async (waiting: number[]): Promise<CompiledStageOutcome> => {
    let remaining = waiting;
    do {
      await run.settleLookups();
      remaining = evaluate(remaining);
    } while (remaining.length > 0);
    return assemble();
  };

  const waiting = evaluate(candidatesOf(stage, run));
  return waiting.length === 0 && !run.hasLookups() ? assemble() : finish(waiting);
}
