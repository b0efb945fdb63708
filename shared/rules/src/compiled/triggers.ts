/**
 * The rule-candidate index's vocabulary and derivation: triggers (necessary keys looked up
 * per stage), touches (lookups a skipped rule must still start), how `all` / `any` combine
 * their children's triggers and guards, and which of a rule's triggers are kept.
 */
import type { CompiledRun } from './compiled-run';
import { type CompiledNode, prioritySets } from './condition-compiler';
import { Guard, GuardKind } from './condition-steps';
import { compileFactGetter, type FactGetter, pureComputedFactNames, stageFactNames } from './fact-reads';
import { isPrimitive } from './json-values';

type TriggerKey =
  | { kind: 'keyword'; fact: string; pattern: number }
  | { kind: 'equal'; fact: string; value: unknown }
  | { kind: 'member'; fact: string; value: unknown }
  | { kind: 'read'; read: FactRead; value: unknown };

/**
 * A side-effect-free read of a value that is not a stage fact as such: a pure computed fact
 * with its params, or a stage fact with a `path`. Looked up once per stage for its triggers.
 */
export interface FactRead {
  /** Identifies the read: fact, params and path. */
  id: string;
  get: FactGetter;
}

/** A necessary condition looked up in an index: the node can only be true when a key is present. */
export interface Trigger {
  keys: TriggerKey[];
  /** Rough share of complaints presenting it (lower is more selective). */
  weight: number;
}

/** Starts the lookups the engine would make (fact getters whose values are not needed yet). */
export interface Touch {
  touch: (run: CompiledRun) => void;
  /** The computed facts it reads, by fact and params key. */
  reads: readonly ComputedRead[];
  /** Whether it resolves a `path` (which could throw even once every value is known). */
  resolvesPath: boolean;
}

/** A computed fact read with some params: the fact and the key its value is remembered by. */
export interface ComputedRead {
  fact: string;
  key: string;
}

// Steps: what an evaluation runs. Every condition becomes a Step and every guard a Guard, each
// class of one shape whatever the kind, walked by one function (evaluateStep(), guardHolds()):
// the common leaves are evaluated inline rather than through a closure per condition, which
// keeps V8's property accesses monomorphic and its calls direct.

export const keywordWeight = 0.02;

const equalityWeight = 0.2;

type Indexing = Pick<
  CompiledNode,
  'triggers' | 'exact' | 'alternatives' | 'guard' | 'guardBeside' | 'touchesWithout'
>;

/** Alternatives beyond which a rule is indexed by its necessary triggers and a guard instead. */
const maxAlternatives = 4;

/** `all`: every child's triggers and guard are necessary. */
export function allIndexing(children: CompiledNode[]): Indexing {
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
export function anyIndexing(children: CompiledNode[]): Indexing {
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

export function leafIndexing(
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

/**
 * An exact trigger for an equality on a stage fact: `equal` / `in` a literal (a value key),
 * `contains` / `someFact:in` (an array member key). Lookups compare as `===` does: the values
 * are JSON primitives, never NaN.
 */
export function equalityTrigger(fact: unknown, operator: string, value: unknown): Trigger | null {
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
export function readTrigger(
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

/** Bits of a rule's trigger mark: one per trigger. */
export const maxTriggers = 8;

/**
 * The triggers a rule is indexed under, the most selective first: each is necessary, so
 * requiring all of them only skips more, and an exact one takes its condition off the guard
 * (a lookup in an index costs less than a check); at most {@link maxTriggers}.
 */
export function chooseTriggers(triggers: readonly Trigger[]): Trigger[] {
  // Stable: among equal weights the first written wins.
  return triggers
    .map((trigger, index) => ({ trigger, index }))
    .sort((a, b) => a.trigger.weight - b.trigger.weight || a.index - b.index)
    .map(({ trigger }) => trigger)
    .slice(0, maxTriggers);
}
