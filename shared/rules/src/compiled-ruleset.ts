/**
 * The compiled form of a ruleset: every stage's json-rules-engine rules turned into condition
 * steps with json-rules-engine's semantics, plus indexes that let an evaluation skip rules
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
 * **Steps.** Conditions compile to {@link Step}s of one shape, walked by one function
 * (evaluateStep()) that evaluates the common leaves — keyword lists, a stage fact against a
 * literal — inline and records each condition's trace as it goes; the rest are closures.
 *
 * **Keyword index.** Every `containsAny` / `containsAll` keyword goes into one
 * {@link KeywordIndex}; a fact's text is scanned once per evaluation and a keyword condition is
 * a count lookup.
 *
 * **Rule-candidate index.** For each rule the compiler derives necessary conditions: up to
 * eight *triggers* (one of some keywords occurs in a fact; a fact, a pure computed fact or a
 * fact's `path` equals one of some values; an array fact has one of some members), looked up
 * in per-stage maps, all of which must be present; and a *guard* (the cheap, side-effect-free
 * conditions the triggers do not already decide) checked once they are. A rule is evaluated
 * only when its triggers are present and its guard holds; rules with neither are always
 * evaluated. A skipped rule is left out of the trace and counted (`skippedRules`).
 *
 * **Lookups and errors are the engine's.** History facts query the database. A rule the index
 * skips still starts the lookups the engine would have made evaluating it: those in its first
 * priority sets, which the engine always reaches, or — when the rule is skipped because its
 * trigger is absent — those the engine reaches with the conditions behind that trigger false.
 * A rule whose lookups depend on values otherwise, or whose evaluation could throw in the
 * engine (e.g. `in` on a `{ "fact" }` value), is never skipped. Which conditions the engine
 * evaluates depends only on fact values, so a rule that needs a lookup in flight stops where
 * the engine would wait, and is evaluated again once the lookups settled (a stage with lookups
 * in flight lets them settle before evaluating): the lookups made — and
 * `relatedComplaintIds` — are the engine's.
 *
 * Everything here is immutable after compilation (shared parts of traces are frozen); the
 * state of one evaluation lives in a {@link CompiledRun}, so concurrent evaluations share
 * nothing mutable. The one exception is a pool of scratch counters a finished evaluation
 * hands, zeroed, to the next one (see {@link CompiledRun.finish}); a buffer belongs to one
 * run at a time.
 */
import { JSONPath } from 'jsonpath-plus';
import type { FiredRule, RuleTrace } from './triage-decision';
import type { Ruleset } from './load-ruleset';
import { KeywordIndex, KeywordIndexBuilder, type KeywordEntry } from './keyword-index';
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

/** What one stage produced: its fired rules, in the order json-rules-engine reports results. */
export interface CompiledStageOutcome {
  fired: FiredRule[];
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
  /** @internal Counts the values computed and lookups started so far. */
  computedEpoch = 0;
  private readonly scans = new Map<string, readonly number[]>();
  /** Whether {@link scanJoined} has run. */
  private joinedScanned = false;
  private readonly paths = new Map<object, Map<string, unknown>>();
  /** Per keyword condition, how many of its keywords its fact's value holds (see keywordCount()). */
  private readonly counts: Uint16Array;
  /** The buffer of `marks` and `counts` when it goes back to the pool at the end (see finish()). */
  private scratch: Scratch | undefined;
  /** The value each fact's keyword conditions were counted for. */
  private readonly countedTexts = new Map<string, string>();
  /** @internal Candidate marks, one per rule of the largest stage; cleared after each use. */
  readonly marks: Uint16Array;
  /**
   * The trace entries of the rules evaluated so far, stage after stage, in the engine's order
   * (the index skipped the others: they cannot fire).
   */
  readonly trace: RuleTrace[] = [];
  /** @internal The trace objects of the rule being evaluated (see {@link RuleState}). */
  readonly ruleState: RuleState;

  constructor(
    private readonly compiled: CompiledRuleset,
    readonly facts: Record<string, unknown>,
    private readonly computed: ReadonlyMap<string, ComputedFact>,
  ) {
    // One buffer for both (an ArrayBuffer costs more to allocate than its size suggests); a
    // large one is taken from the ruleset's pool (see finish()).
    const size = compiled.largestStage + compiled.keywordLeaves;
    const pooled = size > pooledScratchSize;
    const scratch =
      (pooled ? compiled.scratchPool.pop() : undefined) ?? newScratch(compiled.largestStage, size);
    this.scratch = pooled ? scratch : undefined;
    this.marks = scratch.marks;
    this.counts = scratch.counts;
    this.ruleState = new Array<Record<string, unknown> | undefined>(compiled.largestRule);
  }

  /**
   * Ends the evaluation: its scratch buffer, zeroed, goes back to the ruleset's pool for the
   * next one (an evaluation that fails before never returns it; the garbage collector does).
   * The run must not be used afterwards.
   */
  finish(): void {
    const { scratch } = this;
    if (scratch === undefined) return;
    this.scratch = undefined;
    scratch.buffer.fill(0);
    if (this.compiled.scratchPool.length < maxPooledScratch) this.compiled.scratchPool.push(scratch);
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
    this.computedEpoch += 1;
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

  /**
   * @internal Whether every one of these reads has a value or a lookup in flight (or reads a
   * fact nobody computes), so that reading them again has no effect.
   */
  knowsAll(reads: readonly ComputedRead[]): boolean {
    for (let i = 0; i < reads.length; i += 1) {
      const { fact, key } = reads[i] as ComputedRead;
      if (!this.computedValues.has(key) && !this.lookups.has(key) && this.computed.has(fact)) return false;
    }
    return true;
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
    // "$.name": what jsonpath-plus returns for it, without parsing and walking.
    if (simplePath.test(path)) {
      const name = path.slice(2);
      return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    }
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
   * @internal How many of a keyword condition's keywords occur in `text` (the value of `fact`,
   * which the condition reads). Counted for every keyword condition on the fact from one scan,
   * and again only if the fact's value changes.
   */
  keywordCount(fact: string, text: string, leaf: number): number {
    const { counts } = this;
    const counted = this.countedTexts.get(fact);
    if (counted !== text) {
      const byPattern = this.compiled.patternLeaves.get(fact);
      if (byPattern !== undefined) {
        // Each keyword condition reads one fact: a new value recounts that fact's conditions.
        if (counted !== undefined)
          for (const leaves of byPattern.values()) for (const hit of leaves) counts[hit] = 0;
        const hits = this.scan(text);
        for (let h = 0; h < hits.length; h += 1) {
          const leaves = byPattern.get(hits[h] as number);
          if (leaves !== undefined) {
            for (let i = 0; i < leaves.length; i += 1) {
              const hit = leaves[i] as number;
              counts[hit] = (counts[hit] as number) + 1;
            }
          }
        }
      }
      this.countedTexts.set(fact, text);
    }
    return counts[leaf] as number;
  }

  /** @internal The keywords found in a text, by pattern id (each text is scanned once per evaluation). */
  scan(text: string): readonly number[] {
    let hits = this.scans.get(text);
    if (hits === undefined && this.compiled.scansJoined && this.scanJoined()) hits = this.scans.get(text);
    if (hits === undefined) {
      hits = [...this.compiled.keywords.scan(text)];
      this.scans.set(text, hits);
    }
    return hits;
  }

  /**
   * Scans the `text` fact once for its own keywords and those of `subject` and `body`, which it
   * joins (rather than the same characters twice); once per evaluation, false when it cannot.
   */
  private scanJoined(): boolean {
    if (this.joinedScanned) return false;
    this.joinedScanned = true;
    const { text, subject, body } = this.facts;
    // Without a subject the text is the body: nothing to share.
    if (typeof text !== 'string' || typeof subject !== 'string' || typeof body !== 'string' || subject === '')
      return false;
    const hits = this.compiled.keywords.scanJoined(text, subject, body);
    if (hits === undefined) return false;
    this.scans.set(subject, [...hits.first]);
    this.scans.set(body, [...hits.second]);
    this.scans.set(text, [...hits.whole]);
    return true;
  }
}

/** A run's per-evaluation counters: trigger marks and keyword counts, views of one buffer. */
interface Scratch {
  buffer: Uint16Array;
  marks: Uint16Array;
  counts: Uint16Array;
}

function newScratch(marks: number, size: number): Scratch {
  const buffer = new Uint16Array(size);
  return { buffer, marks: buffer.subarray(0, marks), counts: buffer.subarray(marks) };
}

/**
 * Scratch buffers up to this many counters (64 bytes) are allocated with the run: V8 keeps
 * typed arrays that small on its heap, where they cost next to nothing. Larger ones (a
 * 1,000-rule ruleset's take ~3 KB outside the heap, whose allocation and release cost more
 * than their size suggests) are reused through the ruleset's pool.
 */
const pooledScratchSize = 32;
/** How many unused scratch buffers a ruleset keeps (as many as evaluations ran at once, up to this). */
const maxPooledScratch = 16;

/**
 * A path to one named property: jsonpath-plus resolves it (with `wrap: false`) to the
 * object's own property of that name, or undefined when there is none.
 */
const simplePath = /^\$\.[A-Za-z_][A-Za-z0-9_]*$/;

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
    const key = computedKey(factId, params);
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

/**
 * The trace objects of one rule evaluation, by node number (pre-order): a leaf's once it is
 * evaluated, a boolean node's once it has a result and some child recorded one.
 */
type RuleState = (Record<string, unknown> | undefined)[];

/** Evaluates a condition: its result, or {@link pending}. */
type Evaluate = (run: CompiledRun, state: RuleState) => unknown;

type TriggerKey =
  | { kind: 'keyword'; fact: string; pattern: number }
  | { kind: 'equal'; fact: string; value: unknown }
  | { kind: 'member'; fact: string; value: unknown }
  | { kind: 'read'; read: FactRead; value: unknown };

/**
 * A side-effect-free read of a value that is not a stage fact as such: a pure computed fact
 * with its params, or a stage fact with a `path`. Looked up once per stage for its triggers.
 */
interface FactRead {
  /** Identifies the read: fact, params and path. */
  id: string;
  get: FactGetter;
}

/** A necessary condition looked up in an index: the node can only be true when a key is present. */
interface Trigger {
  keys: TriggerKey[];
  /** Rough share of complaints presenting it (lower is more selective). */
  weight: number;
}

/** Starts the lookups the engine would make (fact getters whose values are not needed yet). */
interface Touch {
  touch: (run: CompiledRun) => void;
  /** The computed facts it reads, by fact and params key. */
  reads: readonly ComputedRead[];
  /** Whether it resolves a `path` (which could throw even once every value is known). */
  resolvesPath: boolean;
}

/** A computed fact read with some params: the fact and the key its value is remembered by. */
interface ComputedRead {
  fact: string;
  key: string;
}

// Steps: what an evaluation runs. Every condition becomes a Step and every guard a Guard, each
// class of one shape whatever the kind, walked by one function (evaluateStep(), guardHolds()):
// the common leaves are evaluated inline rather than through a closure per condition, which
// keeps V8's property accesses monomorphic and its calls direct.

const enum StepKind {
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

class Step {
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
function applyDirect(step: Step, factValue: unknown): unknown {
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
      return (step.evaluator as Evaluator)(factValue, step.value);
  }
}

function directOperator(operator: unknown, value: unknown): DirectOperator {
  if (operator === 'equal') return DirectOperator.Equal;
  if (operator === 'notEqual') return DirectOperator.NotEqual;
  if (operator === 'in' && Array.isArray(value)) return DirectOperator.In;
  if (operator === 'notIn' && Array.isArray(value)) return DirectOperator.NotIn;
  return DirectOperator.Call;
}

interface LeafFields {
  fact: unknown;
  operator: unknown;
  value: unknown;
  params: unknown;
  path: unknown;
  priority: unknown;
  name: unknown;
}

function leafStep(
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

function groupStep(
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
function leafTrace(
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
function leafTemplate(leaf: LeafFields): Record<string, unknown> {
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
function groupTemplate(key: 'all' | 'any' | 'not', priority: number, name: unknown, body: unknown): unknown {
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
function evaluateStep(step: Step, run: CompiledRun, state: RuleState): unknown {
  switch (step.kind) {
    case StepKind.Keyword: {
      const factValue = run.facts[step.fact as string];
      const result = keywordHolds(step, run, factValue);
      state[step.node] = leafTrace(step, factValue, step.value, result);
      return result;
    }
    case StepKind.Direct: {
      const factValue = run.facts[step.fact as string];
      const result = applyDirect(step, factValue);
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

const enum GuardKind {
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
class Guard {
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

function guardHolds(guard: Guard, run: CompiledRun): boolean {
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
        return Boolean(applyDirect(step, run.facts[step.fact as string]));
      } catch {
        return true;
      }
    }
    default:
      return (guard.holds as (run: CompiledRun) => boolean)(run);
  }
}

interface CompiledNode {
  /** Its number in the rule (pre-order): where its trace is recorded in the {@link RuleState}. */
  node: number;
  /** What evaluates it. */
  step: Step;
  /** The node's part of RuleResult.toJSON() with nothing evaluated (frozen, shared). */
  template: unknown;
  /** The priority its parent groups it by (a leaf's fact priority is 1 for every fact here). */
  priority: number;
  /** Necessary triggers, all of them: the node can only be true when each has a key present. */
  triggers: Trigger[];
  /** Whether the node is true exactly when its one trigger has a key present (stage facts only). */
  exact: boolean;
  /**
   * When the node is true exactly when, for one of these alternatives, every trigger has a key
   * present (a disjunction of conjunctions of exact triggers); null when it is not that simple.
   */
  alternatives: Trigger[][] | null;
  guard: Guard | null;
  /**
   * The node's guard without the parts the chosen triggers already decide: an exact node
   * whose trigger is chosen needs no guard, and `all` drops such children from its guard.
   */
  guardBeside: (chosen: ReadonlySet<Trigger>) => Guard | null;
  /**
   * The lookups the engine makes whenever it evaluates the node, whatever the values;
   * `null` when a lookup sits in a later priority set (made or not depending on values).
   */
  touches: Touch[] | null;
  /**
   * The lookups the engine makes evaluating the node when one of its triggers has no key
   * present (so the part of the node it belongs to is false); `null` when that still depends
   * on values.
   */
  touchesWithout: (trigger: Trigger) => Touch[] | null;
  /** Whether the engine could throw evaluating it. */
  mayThrow: boolean;
}

const keywordWeight = 0.02;
const equalityWeight = 0.2;

interface CompileContext {
  keywords: KeywordIndexBuilder;
  /** Condition nodes of the rule being compiled so far. */
  nodeCount: number;
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
  if (Object.hasOwn(raw, 'condition')) return compileReference(raw, context);
  return compileLeaf(raw, context);
}

/** A shared-condition reference: no shared conditions are registered, so it throws when reached. */
function compileReference(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const node = context.nodeCount;
  context.nodeCount += 1;
  const template: Record<string, unknown> = {};
  if (raw.priority) template.priority = raw.priority;
  if (raw.name) template.name = raw.name;
  template.condition = raw.condition;
  deepFreeze(template);
  const closure: Evaluate = () => {
    throw new Error(`No condition ${String(raw.condition)} exists`);
  };
  return {
    node,
    step: leafStep(StepKind.Closure, node, template, {} as LeafFields, { closure }),
    template,
    priority: (raw.priority as number) || 1,
    triggers: [],
    exact: false,
    alternatives: null,
    guard: null,
    guardBeside: () => null,
    touches: [],
    touchesWithout: () => null,
    mayThrow: true,
  };
}

/** A boolean condition's priority (default 1) as its trace reports it. */
function groupPriority(raw: Record<string, unknown>): number {
  return Number.parseInt(String(raw.priority), 10) || 1;
}

function compileNot(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const node = context.nodeCount;
  context.nodeCount += 1;
  const priority = groupPriority(raw);
  const child = compileCondition(raw.not, context);
  const template = groupTemplate('not', priority, raw.name, child.template);
  return {
    node,
    step: groupStep(StepKind.Not, node, template, [child.step], [], 'not', priority, raw.name),
    template,
    priority,
    triggers: [],
    exact: false,
    alternatives: null,
    guard: null,
    guardBeside: () => null,
    touches: child.touches,
    touchesWithout: () => null,
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
  const node = context.nodeCount;
  context.nodeCount += 1;
  const priority = groupPriority(raw);
  const children = (list as unknown[]).map((child) => compileCondition(child, context));
  const steps = children.map((child) => child.step);
  const sets = prioritySets(children).map((set) => set.map((child) => child.step));
  const template = groupTemplate(
    operator,
    priority,
    raw.name,
    children.map((child) => child.template),
  );
  return {
    node,
    step: groupStep(StepKind.Group, node, template, steps, sets, operator, priority, raw.name),
    template,
    priority,
    mayThrow: children.some((child) => child.mayThrow),
    touches: unconditionalTouches(children),
    ...(operator === 'all' ? allIndexing(children) : anyIndexing(children)),
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

type Indexing = Pick<
  CompiledNode,
  'triggers' | 'exact' | 'alternatives' | 'guard' | 'guardBeside' | 'touchesWithout'
>;

/** Alternatives beyond which a rule is indexed by its necessary triggers and a guard instead. */
const maxAlternatives = 4;

/** `all`: every child's triggers and guard are necessary. */
function allIndexing(children: CompiledNode[]): Indexing {
  // Exact children: the node is true when each is, so one alternative of each holds.
  let alternatives: Trigger[][] | null = [[]];
  for (const child of children) {
    if (alternatives === null || child.alternatives === null) {
      alternatives = null;
      break;
    }
    const combined: Trigger[][] = [];
    for (const left of alternatives)
      for (const right of child.alternatives) combined.push([...left, ...right]);
    alternatives = combined.length <= maxAlternatives ? combined : null;
  }
  return {
    triggers: children.flatMap((child) => child.triggers),
    exact: false,
    alternatives,
    guard: allGuard(children.map((child) => child.guard)),
    guardBeside: (chosen) => allGuard(children.map((child) => child.guardBeside(chosen))),
    // The child holding the trigger is false: if it is in the first priority set, that set is
    // evaluated and settles the node; if it is in a later one, earlier sets' values decide.
    touchesWithout: (trigger) => {
      const owner = children.find((child) => child.triggers.includes(trigger));
      const first = children.length === 1 ? children : (prioritySets(children)[0] ?? []);
      if (owner === undefined || !first.includes(owner)) return null;
      const touches: Touch[] = [];
      for (const child of first) {
        const own = child === owner ? owner.touchesWithout(trigger) : child.touches;
        if (own === null) return null;
        touches.push(...own);
      }
      return touches;
    },
  };
}

/** `any`: one of the children's best triggers is necessary, and one of their guards. */
function anyIndexing(children: CompiledNode[]): Indexing {
  const guard = anyGuard(children.map((child) => child.guard));
  // Exact children: the node is true when one of them is.
  let alternatives: Trigger[][] | null =
    children.length === 0 ? [[]] : children.every((child) => child.alternatives !== null) ? [] : null;
  for (const child of children) if (alternatives !== null) alternatives.push(...(child.alternatives ?? []));
  if (alternatives !== null && alternatives.length > maxAlternatives) alternatives = null;
  if (children.length === 0 || children.some((child) => child.triggers.length === 0)) {
    return {
      triggers: [],
      exact: false,
      alternatives,
      guard,
      guardBeside: () => guard,
      touchesWithout: () => null,
    };
  }
  const keys: TriggerKey[] = [];
  let weight = 0;
  const bests = new Map<CompiledNode, Trigger>();
  for (const child of children) {
    const best = child.triggers.reduce((a, b) => (b.weight < a.weight ? b : a));
    bests.set(child, best);
    keys.push(...best.keys);
    weight += best.weight;
  }
  const trigger: Trigger = { keys, weight };
  // Exact children have one trigger each, so the union is exactly "some child is true".
  const exact = children.every((child) => child.exact);
  return {
    triggers: [trigger],
    exact,
    alternatives,
    guard,
    guardBeside: (chosen) => (exact && chosen.has(trigger) ? null : guard),
    // No key of the union: every child is false, so every priority set is evaluated.
    touchesWithout: (absent) => {
      if (absent !== trigger) return null;
      const touches: Touch[] = [];
      const sets = children.length === 1 ? [children] : prioritySets(children);
      for (const set of sets) {
        for (const child of set) {
          const own = child.touchesWithout(bests.get(child) as Trigger);
          if (own === null) return null;
          touches.push(...own);
        }
      }
      return touches;
    },
  };
}

function allGuard(parts: (Guard | null)[]): Guard | null {
  // Cheapest first: the first false one settles it.
  const guards = parts.filter((guard): guard is Guard => guard !== null);
  if (guards.length === 0) return null;
  if (guards.length === 1) return guards[0] as Guard;
  guards.sort((a, b) => a.cost - b.cost);
  return new Guard(GuardKind.All, (guards[0] as Guard).cost, guards, null, null);
}

function anyGuard(parts: (Guard | null)[]): Guard | null {
  if (parts.length === 0 || parts.some((guard) => guard === null)) return null;
  const guards = (parts as Guard[]).slice().sort((a, b) => a.cost - b.cost);
  const cost = guards.reduce((sum, guard) => sum + guard.cost, 0);
  return new Guard(GuardKind.Any, cost, guards, null, null);
}

function compileLeaf(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const node = context.nodeCount;
  context.nodeCount += 1;
  const { fact, operator, params, path, name } = raw;
  const value: unknown = deepFreeze(copyJson(raw.value));
  const frozenParams: unknown = deepFreeze(copyJson(params));
  const priority = raw.priority === undefined ? undefined : Number.parseInt(String(raw.priority), 10);
  const operatorName = String(operator);
  const evaluator = resolveOperator(operatorName);
  const valueIsReference = isFactReference(value);

  const fields: LeafFields = { fact, operator, value, params: frozenParams, path, priority, name };
  const template = leafTemplate(fields);
  const shared = { node, template, priority: priority || 1 };

  const keywordLeaf = compileKeywordLeaf(raw, value, context);
  if (keywordLeaf !== undefined) {
    const { trigger, keywordLeaf: leaf, needed, negated } = keywordLeaf;
    const step = leafStep(StepKind.Keyword, node, template, fields, { keywordLeaf: leaf, needed, negated });
    return {
      ...shared,
      step,
      ...leafIndexing(trigger, keywordLeaf.exact, new Guard(GuardKind.Keyword, 1, [], step, null), []),
      touches: [],
      mayThrow: false,
    };
  }

  const referencedFact = valueIsReference ? (value as { fact: unknown }).fact : undefined;
  const sideEffects =
    readsWithSideEffects(fact) || (valueIsReference && readsWithSideEffects(referencedFact));
  const onStageFacts =
    typeof fact === 'string' &&
    stageFactNames.has(fact) &&
    (!valueIsReference || (typeof referencedFact === 'string' && stageFactNames.has(referencedFact)));
  const trigger = valueIsReference
    ? null
    : ((path === undefined ? equalityTrigger(fact, operatorName, value) : null) ??
      readTrigger(fact, params, path, operatorName, value));
  const mayThrow = operatorMayThrow(operatorName, evaluator, value);

  if (
    evaluator !== undefined &&
    typeof fact === 'string' &&
    stageFactNames.has(fact) &&
    (typeof path !== 'string' || path === '') &&
    !valueIsReference
  ) {
    // A stage fact against a literal value: no lookups, no getters.
    const step = leafStep(StepKind.Direct, node, template, fields, { evaluator });
    return {
      ...shared,
      step,
      ...leafIndexing(trigger, trigger !== null, new Guard(GuardKind.Direct, 1, [], step, null), []),
      touches: [],
      mayThrow,
    };
  }

  const getFact = compileFactGetter(fact, params, path);
  const getValue: FactGetter = valueIsReference
    ? compileFactGetter(value.fact, value.params, value.path)
    : () => value;
  const step: Step = leafStep(StepKind.Closure, node, template, fields, {
    closure: (run, state) => {
      if (evaluator === undefined) throw new Error(`Unknown operator: ${operatorName}`);
      // condition.evaluate(): the value is looked up first, then the fact; both are started.
      const jsonValue = getValue(run);
      const factValue = getFact(run);
      if (jsonValue === pending || factValue === pending) return pending;
      const result = evaluator(factValue, jsonValue);
      state[node] = leafTrace(step, factValue, jsonValue, result);
      return result;
    },
  });
  const holds = (run: CompiledRun): boolean => {
    if (evaluator === undefined) return true;
    try {
      const jsonValue = getValue(run);
      const factValue = getFact(run);
      return jsonValue === pending || factValue === pending || Boolean(evaluator(factValue, jsonValue));
    } catch {
      return true;
    }
  };
  const guard =
    sideEffects || evaluator === undefined
      ? null
      : new Guard(GuardKind.Closure, onStageFacts ? 1 : 20, [], null, holds);
  const touch: Touch = {
    touch: (run) => {
      getValue(run);
      getFact(run);
    },
    reads: [
      ...(valueIsReference ? computedReads(referencedFact, value.params) : []),
      ...computedReads(fact, params),
    ],
    resolvesPath:
      (typeof path === 'string' && path !== '') ||
      (valueIsReference && typeof value.path === 'string' && value.path !== ''),
  };
  const touches = sideEffects && evaluator !== undefined ? [touch] : [];
  return {
    ...shared,
    step,
    // Here only a read trigger (a pure computed fact, a path): exact, as it reads the same value.
    ...leafIndexing(trigger, trigger !== null, guard, touches),
    touches,
    mayThrow,
  };
}

function leafIndexing(
  trigger: Trigger | null,
  exact: boolean,
  guard: Guard | null,
  touches: Touch[],
): Indexing {
  return {
    triggers: trigger === null ? [] : [trigger],
    exact: exact && trigger !== null,
    alternatives: exact && trigger !== null ? [[trigger]] : null,
    guard,
    guardBeside: (chosen) => (exact && trigger !== null && chosen.has(trigger) ? null : guard),
    touchesWithout: (absent) => (absent === trigger ? touches : null),
  };
}

/** The computed fact a getter reads (none for stage facts), by the key its value is kept under. */
function computedReads(factId: unknown, params: unknown): ComputedRead[] {
  if (typeof factId !== 'string' || stageFactNames.has(factId)) return [];
  return [{ fact: factId, key: computedKey(factId, params) }];
}

function computedKey(factId: string, params: unknown): string {
  const callParams = params === undefined ? {} : params;
  return `${factId}\u0000${JSON.stringify(callParams) ?? ''}`;
}

/**
 * An exact trigger for an equality on a stage fact: `equal` / `in` a literal (a value key),
 * `contains` / `someFact:in` (an array member key). Lookups compare as `===` does: the values
 * are JSON primitives, never NaN.
 */
function equalityTrigger(fact: unknown, operator: string, value: unknown): Trigger | null {
  if (typeof fact !== 'string' || !stageFactNames.has(fact)) return null;
  if (operator === 'equal' && isPrimitive(value)) {
    return { keys: [{ kind: 'equal', fact, value }], weight: equalityWeight };
  }
  if (operator === 'in' && isPrimitiveList(value)) {
    return {
      keys: value.map((item: unknown) => ({ kind: 'equal', fact, value: item }) as const),
      weight: equalityWeight * value.length,
    };
  }
  if (operator === 'contains' && isPrimitive(value)) {
    return { keys: [{ kind: 'member', fact, value }], weight: equalityWeight };
  }
  // The fact is an array and one of its members is in the list.
  if (operator === 'someFact:in' && isPrimitiveList(value)) {
    return {
      keys: value.map((item: unknown) => ({ kind: 'member', fact, value: item }) as const),
      weight: equalityWeight * value.length,
    };
  }
  return null;
}

function isPrimitiveList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every(isPrimitive);
}

/**
 * An exact trigger for `equal` / `in` a literal on a side-effect-free read: a pure computed
 * fact (receivedHour, receivedWeekday, insideBusinessHours) or a stage fact with a `path`.
 */
function readTrigger(
  fact: unknown,
  params: unknown,
  path: unknown,
  operator: string,
  value: unknown,
): Trigger | null {
  if (typeof fact !== 'string') return null;
  const hasPath = typeof path === 'string' && path !== '';
  const pure = pureComputedFactNames.has(fact) || (stageFactNames.has(fact) && hasPath);
  if (!pure) return null;
  const values =
    operator === 'equal' && isPrimitive(value)
      ? [value]
      : operator === 'in' && isPrimitiveList(value)
        ? value
        : null;
  if (values === null) return null;
  const read: FactRead = {
    id: JSON.stringify([fact, stageFactNames.has(fact) ? null : (params ?? {}), hasPath ? path : null]),
    get: compileFactGetter(fact, params, path),
  };
  return {
    keys: values.map((item) => ({ kind: 'read', read, value: item }) as const),
    weight: equalityWeight * values.length,
  };
}

interface KeywordLeaf {
  /** Which keyword condition it is (see {@link CompiledRun.keywordCount}), and how many of its keywords must occur. */
  keywordLeaf: number;
  needed: number;
  trigger: Trigger | null;
  /** Whether the leaf is true exactly when a key of its trigger is present. */
  exact: boolean;
  /** `not:containsAny` / `not:containsAll`: the leaf is the negation (never triggered). */
  negated: boolean;
}

/**
 * `containsAny` / `containsAll` (or their `not:` forms) on a stage fact with a literal keyword
 * list, answered from the keyword scan under the operator's own rules: the fact must be a
 * string, the list a non-empty array of strings; `containsAll` is false when a keyword is blank.
 */
function compileKeywordLeaf(
  raw: Record<string, unknown>,
  value: unknown,
  context: CompileContext,
): KeywordLeaf | undefined {
  const { fact, path } = raw;
  const negated = typeof raw.operator === 'string' && raw.operator.startsWith('not:');
  const operator = negated ? (raw.operator as string).slice('not:'.length) : raw.operator;
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
  if (ids.length === 0 || (matchAll && hasBlank)) {
    // Never enough: no keyword condition counts for it.
    return { keywordLeaf: -1, needed: Number.POSITIVE_INFINITY, trigger: null, exact: false, negated };
  }

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
  const found = { keywordLeaf: leaf, needed, negated };

  if (negated) return { ...found, trigger: null, exact: false };
  if (matchAll) {
    // Any one keyword is necessary; the longest is likely the rarest.
    const rarest = ids.reduce((a, b) =>
      context.keywords.lengthOf(b) > context.keywords.lengthOf(a) ? b : a,
    );
    return {
      ...found,
      trigger: { keys: [{ kind: 'keyword', fact, pattern: rarest }], weight: keywordWeight },
      exact: false,
    };
  }
  return {
    ...found,
    trigger: {
      keys: ids.map((pattern) => ({ kind: 'keyword', fact, pattern }) as const),
      weight: keywordWeight * ids.length,
    },
    exact: true,
  };
}

// ---------------------------------------------------------------------------------------
// Rules and stages
// ---------------------------------------------------------------------------------------

interface CompiledRule {
  name: string;
  priority: number;
  /** How many condition nodes it has (the size of its {@link RuleState}). */
  nodeCount: number;
  /** Its conditions: the rule's result is their raw all/any/not result, as rule.evaluate() reports it. */
  step: Step;
  /** Where its conditions' trace is recorded in the {@link RuleState}, and their template. */
  topNode: number;
  template: unknown;
  /** Its event params, deep-frozen: every decision it fires in shares them (never copied). */
  params: Record<string, unknown>;
  /** Evaluated for every complaint: no trigger or guard, a value-dependent lookup, or may throw. */
  always: boolean;
  /** Triggers that must all have a key present before the rule is considered (at most 8). */
  triggers: Trigger[];
  /**
   * Or, for a rule true exactly when every trigger of one alternative is present: the trigger
   * bits of each alternative (the rule then has no guard).
   */
  alternatives: number[] | null;
  /**
   * Checked before the rule is evaluated (for every complaint when it has no trigger); without
   * the conditions its triggers already decide.
   */
  guard: Guard | null;
  /** The lookups to start when the rule is skipped. */
  touches: Touch[];
  /** The computed facts its touches read (see {@link CompiledRun.knowsAll}). */
  touchReads: readonly ComputedRead[];
}

interface CompiledStage {
  /** The rules in the order the engine reports them: priority, then file order. */
  rules: CompiledRule[];
  /** Positions (in `rules`) of rules evaluated for every complaint. */
  always: number[];
  /** Positions of rules evaluated when their guard holds. */
  guarded: number[];
  /** The guard of each rule, by position. */
  guards: (Guard | null)[];
  /** Positions of skippable rules that make lookups (made even when skipped). */
  touching: number[];
  /** Every computed fact the touching rules read, and whether they may be skipped once all are known. */
  touchReads: readonly ComputedRead[];
  touchesSkippable: boolean;
  /** The trigger mark each rule needs (a bit per trigger), by position; 0 without triggers. */
  needed: Uint16Array;
  /** The bits of each rule's mark that read triggers give. */
  readBits: Uint16Array;
  /** The alternatives of each rule indexed by them (see {@link CompiledRule.alternatives}). */
  alternatives: (readonly number[] | null)[];
  /**
   * Per fact: the rules each keyword pattern, value or array member triggers, as
   * `position * 16 + trigger bit`.
   */
  keywordTriggers: FactTriggers<number>[];
  equalTriggers: FactTriggers<unknown>[];
  memberTriggers: FactTriggers<unknown>[];
  readTriggers: ReadTriggers[];
}

/** The rules triggered by the values of one read; all of them when it cannot be read. */
interface ReadTriggers {
  read: FactRead;
  positions: Map<unknown, number[]>;
  all: number[];
}

interface FactTriggers<K> {
  fact: string;
  positions: Map<K, number[]>;
}

/** A ruleset compiled for evaluation. Immutable; see {@link compiledRulesetOf}. */
export interface CompiledRuleset {
  stages: { [K in StageName]: CompiledStage };
  /** How many rules it has, in all stages. */
  ruleCount: number;
  keywords: KeywordIndex;
  /** The number of rules of the largest stage. */
  largestStage: number;
  /** The number of condition nodes of the largest rule. */
  largestRule: number;
  /** How many keyword conditions the ruleset has, and which keyword patterns each one lists. */
  keywordLeaves: number;
  /**
   * The one mutable part: large scratch buffers no run is using (see {@link CompiledRun.finish}).
   * A run takes one or allocates its own, so concurrent evaluations never share one.
   */
  scratchPool: Scratch[];
  patternLeaves: Map<string, Map<number, number[]>>;
  /**
   * Whether keyword conditions read `text` and `subject` or `body` (which `text` joins), so
   * that one scan of `text` serves the three.
   */
  scansJoined: boolean;
  /** Per stage: rules always evaluated, rules behind a guard, rules behind an index trigger. */
  summary: { [K in StageName]: { always: number; guarded: number; indexed: number } };
}

function compileRule(
  stage: StageName,
  rule: { name: string; priority?: number; conditions: unknown; event: { params?: unknown } },
  context: CompileContext,
): CompiledRule {
  context.nodeCount = 0;
  const top = compileCondition(rule.conditions, context);
  const params = deepFreeze(copyJson((rule.event.params ?? {}) as Record<string, unknown>));
  let triggers = chooseTriggers(top.triggers);
  let guard = top.guardBeside(new Set(triggers));
  let touches = top.touches;
  let alternatives: number[] | null = null;
  const best = triggers[0];
  const exactAlternatives = top.alternatives;
  if (
    touches !== null &&
    exactAlternatives !== null &&
    exactAlternatives.length > 1 &&
    exactAlternatives.every((alternative) => alternative.length > 0)
  ) {
    // True exactly when one alternative has every trigger: e.g. any of two all-of-equalities.
    const unique = [...new Set(exactAlternatives.flat())];
    if (unique.length <= maxTriggers) {
      const distinct = chooseTriggers(unique);
      triggers = distinct;
      guard = null;
      alternatives = exactAlternatives.map((alternative) =>
        alternative.reduce((mask, trigger) => mask | (1 << distinct.indexOf(trigger)), 0),
      );
    }
  } else if (touches === null && best !== undefined) {
    // Which lookups the engine makes depends on values, but not when the index shows the
    // best trigger absent: then the rule is skipped exactly when that trigger is absent (no
    // guard), starting the lookups the engine makes in that case.
    const withoutBest = top.touchesWithout(best);
    if (withoutBest !== null) {
      triggers = [best];
      guard = null;
      touches = withoutBest;
    }
  }
  return {
    name: rule.name,
    priority: Number.parseInt(String(rule.priority || 1), 10),
    nodeCount: context.nodeCount,
    step: top.step,
    topNode: top.node,
    template: top.template,
    params,
    always: top.mayThrow || touches === null || (triggers.length === 0 && guard === null),
    triggers,
    alternatives,
    guard,
    touches: touches ?? [],
    touchReads: (touches ?? []).flatMap((touch) => touch.reads),
  };
}

/** Bits of a rule's trigger mark: one per trigger. */
const maxTriggers = 8;

/**
 * The triggers a rule is indexed under, the most selective first: each is necessary, so
 * requiring all of them only skips more, and an exact one takes its condition off the guard
 * (a lookup in an index costs less than a check); at most {@link maxTriggers}.
 */
function chooseTriggers(triggers: readonly Trigger[]): Trigger[] {
  // Stable: among equal weights the first written wins.
  return triggers
    .map((trigger, index) => ({ trigger, index }))
    .sort((a, b) => a.trigger.weight - b.trigger.weight || a.index - b.index)
    .map(({ trigger }) => trigger)
    .slice(0, maxTriggers);
}

function addTo<K>(map: Map<K, number[]>, key: K, entry: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (list[list.length - 1] !== entry) list.push(entry);
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
  const needed = new Uint16Array(compiled.length);
  const readBits = new Uint16Array(compiled.length);
  const touchReads = new Map<string, ComputedRead>();
  const readTriggers = new Map<string, ReadTriggers>();
  let touchesSkippable = true;
  compiled.forEach((rule, position) => {
    if (rule.always) {
      always.push(position);
      return;
    }
    if (rule.touches.length > 0) {
      touching.push(position);
      for (const touch of rule.touches) {
        for (const read of touch.reads) touchReads.set(read.key, read);
        if (touch.resolvesPath) touchesSkippable = false;
      }
    }
    if (rule.triggers.length === 0) {
      guarded.push(position);
      return;
    }
    needed[position] = (1 << rule.triggers.length) - 1;
    rule.triggers.forEach((trigger, bit) => {
      const entry = position * 16 + bit;
      for (const key of trigger.keys) {
        if (key.kind === 'keyword') addTo(forFact(triggers.keyword, key.fact), key.pattern, entry);
        else if (key.kind === 'equal') addTo(forFact(triggers.equal, key.fact), key.value, entry);
        else if (key.kind === 'member') addTo(forFact(triggers.member, key.fact), key.value, entry);
        else {
          let group = readTriggers.get(key.read.id);
          if (group === undefined) {
            group = { read: key.read, positions: new Map(), all: [] };
            readTriggers.set(key.read.id, group);
          }
          addTo(group.positions, key.value, entry);
          if (group.all[group.all.length - 1] !== entry) group.all.push(entry);
          readBits[position] = (readBits[position] as number) | (1 << bit);
        }
      }
    });
  });
  return {
    rules: compiled,
    always,
    guarded,
    guards: compiled.map((rule) => (rule.always ? null : rule.guard)),
    touching,
    touchReads: [...touchReads.values()],
    touchesSkippable,
    needed,
    readBits,
    alternatives: compiled.map((rule) => (rule.always ? null : rule.alternatives)),
    keywordTriggers: factTriggers(triggers.keyword),
    equalTriggers: factTriggers(triggers.equal),
    memberTriggers: factTriggers(triggers.member),
    readTriggers: [...readTriggers.values()],
  };
}

function factTriggers<K>(maps: Map<string, Map<K, number[]>>): FactTriggers<K>[] {
  return [...maps].map(([fact, positions]) => ({ fact, positions }));
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
    const context: CompileContext = { keywords, nodeCount: 0, keywordLeaves: 0, patternLeaves: new Map() };
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
    const largestRule = Math.max(
      0,
      ...stageNames.flatMap((stage) => stages[stage].rules.map((rule) => rule.nodeCount)),
    );
    compiled = {
      stages,
      ruleCount: stageNames.reduce((sum, stage) => sum + stages[stage].rules.length, 0),
      keywords: keywords.build(),
      largestStage,
      largestRule,
      keywordLeaves: context.keywordLeaves,
      scratchPool: [],
      patternLeaves: context.patternLeaves,
      scansJoined:
        context.patternLeaves.has('text') &&
        (context.patternLeaves.has('subject') || context.patternLeaves.has('body')),
      summary,
    };
    compiledRulesets.set(ruleset, compiled);
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------
// Running a stage
// ---------------------------------------------------------------------------------------

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

function runStage(
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
