/**
 * Compiles one rule's conditions (json-rules-engine JSON) to steps, with the triggers, guard
 * and lookups each node implies.
 */
import { type KeywordEntry, KeywordIndexBuilder } from '../keyword-index';
import { isEngineFactReference, operatorMayThrow, resolveOperator } from '../operators/operator-catalogue';
import type { CompiledRun } from './compiled-run';
import {
  type Evaluate,
  groupStep,
  groupTemplate,
  Guard,
  GuardKind,
  type LeafFields,
  leafStep,
  leafTemplate,
  leafTrace,
  type Step,
  StepKind,
  pending,
} from './condition-steps';
import {
  compileFactGetter,
  computedReads,
  type FactGetter,
  readsWithSideEffects,
  stageFactNames,
} from './fact-reads';
import { copyJson, deepFreeze, isPlainRecord } from './json-values';
import {
  allIndexing,
  anyIndexing,
  equalityTrigger,
  keywordWeight,
  leafIndexing,
  readTrigger,
  type Touch,
  type Trigger,
} from './triggers';

export interface CompiledNode {
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

export interface CompileContext {
  keywords: KeywordIndexBuilder;
  /** Condition nodes of the rule being compiled so far. */
  nodeCount: number;
  /** Keyword conditions so far (numbered across the ruleset). */
  keywordLeaves: number;
  /** Per fact, per keyword pattern: the keyword conditions on that fact that list it. */
  patternLeaves: Map<string, Map<number, number[]>>;
}

export function compileCondition(raw: unknown, context: CompileContext): CompiledNode {
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
export function prioritySets(children: CompiledNode[]): CompiledNode[][] {
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

function compileLeaf(raw: Record<string, unknown>, context: CompileContext): CompiledNode {
  const node = context.nodeCount;
  context.nodeCount += 1;
  const { fact, operator, params, path, name } = raw;
  const value: unknown = deepFreeze(copyJson(raw.value));
  const frozenParams: unknown = deepFreeze(copyJson(params));
  const priority = raw.priority === undefined ? undefined : Number.parseInt(String(raw.priority), 10);
  const operatorName = String(operator);
  const evaluator = resolveOperator(operatorName);
  const valueIsReference = isEngineFactReference(value);

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
      const result = evaluator(factValue, jsonValue, run.now);
      state[node] = leafTrace(step, factValue, jsonValue, result);
      return result;
    },
  });
  const holds = (run: CompiledRun): boolean => {
    if (evaluator === undefined) return true;
    try {
      const jsonValue = getValue(run);
      const factValue = getFact(run);
      return (
        jsonValue === pending || factValue === pending || Boolean(evaluator(factValue, jsonValue, run.now))
      );
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
