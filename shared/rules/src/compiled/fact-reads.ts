/**
 * How a compiled condition reads a fact: almanac.factValue() with params and path, and which
 * facts are stage facts or pure computed facts (reads without side effects).
 */
import type { CompiledRun } from './compiled-run';
import type { ComputedRead } from './triggers';

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

export type FactGetter = (run: CompiledRun) => unknown;

/** almanac.factValue(factId, params, path). */
export function compileFactGetter(factId: unknown, params: unknown, path: unknown): FactGetter {
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
export function readsWithSideEffects(factId: unknown): boolean {
  return !(typeof factId === 'string' && (stageFactNames.has(factId) || pureComputedFactNames.has(factId)));
}

/** The computed fact a getter reads (none for stage facts), by the key its value is kept under. */
export function computedReads(factId: unknown, params: unknown): ComputedRead[] {
  if (typeof factId !== 'string' || stageFactNames.has(factId)) return [];
  return [{ fact: factId, key: computedKey(factId, params) }];
}

function computedKey(factId: string, params: unknown): string {
  const callParams = params === undefined ? {} : params;
  return `${factId}\u0000${JSON.stringify(callParams) ?? ''}`;
}
