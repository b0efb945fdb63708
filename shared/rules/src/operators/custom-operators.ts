/**
 * Custom json-rules-engine operators for triage rules, and the load-time checks for their
 * values. Everything here is pure and synchronous: operators never throw and never do I/O,
 * and a fact of the wrong type simply makes the condition false. The time operators compare
 * with the evaluation's `now` (a replay or dry run at a past instant decides by that instant),
 * which every operator receives as its third argument; there is no module clock.
 *
 * | operator            | fact                                   | value                                   |
 * | ------------------- | -------------------------------------- | --------------------------------------- |
 * | `containsAny`       | text                                   | non-empty array of keywords             |
 * | `containsAll`       | text                                   | non-empty array of keywords             |
 * | `matchesRegex`      | text                                   | pattern, or `{ pattern, flags? }`       |
 * | `withinHours`       | instant (ISO string, Date or epoch ms) | hours (positive)                        |
 * | `olderThanHours`    | instant (ISO string, Date or epoch ms) | hours (positive)                        |
 * | `betweenHours`      | hour of day, 0 ≤ h < 24                | `[from, to)`; wraps midnight if from>to |
 * | `lengthGreaterThan` | text                                   | non-negative integer (code points)      |
 */
import { type Engine, Operator } from 'json-rules-engine';
import { keywordMatcherFor } from './keyword-matcher';
import { regexFor, regexTexts } from './safe-regex';

const isoInstant = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Epoch ms of a Date, finite epoch-ms number or ISO 8601 string; NaN otherwise. A date-time
 * string must carry `Z` or an offset (without one it would silently mean server local time);
 * a bare date is midnight UTC.
 */
function instantOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string') return instantOfText(value);
  return NaN;
}

// Rules of one complaint ask about the same instant (its occurredAt) again and again.
let lastInstantText: string | undefined;

let lastInstant = NaN;

function instantOfText(text: string): number {
  if (text !== lastInstantText) {
    lastInstant = isoInstant.test(text) ? Date.parse(text) : NaN;
    lastInstantText = text;
  }
  return lastInstant;
}

function ageInHours(fact: unknown, now: number): number {
  const at = instantOf(fact);
  return Number.isNaN(at) ? NaN : (now - at) / 3_600_000;
}

export function isPositiveHours(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

export function isHourRange(value: unknown): value is [number, number] {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [from, to] = value as unknown[];
  return (
    Number.isInteger(from) &&
    Number.isInteger(to) &&
    (from as number) >= 0 &&
    (from as number) <= 23 &&
    (to as number) >= 0 &&
    (to as number) <= 24 &&
    from !== to
  );
}

/** Whether a string has more than `limit` code points, without allocating. */
function longerThan(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
    if (count > limit) return true;
  }
  return false;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const isString = (fact: unknown): boolean => typeof fact === 'string';

/**
 * A custom operator's test: the fact value, the condition's value and the evaluation's now
 * (epoch ms). Returns false, never throws, for a fact or value of the wrong type.
 */
export type OperatorTest = (fact: unknown, value: unknown, now: number) => boolean;

/** One custom operator: its name, its test and the fact validator json-rules-engine runs first. */
export interface CustomOperator {
  readonly name: string;
  readonly test: OperatorTest;
  readonly factValidator?: (fact: unknown) => boolean;
}

/**
 * The custom operators. Each returns false (never throws) for a fact of the wrong type or a
 * value that {@link validateOperatorValue} would reject.
 *
 * - `containsAny` / `containsAll`: keyword search, see {@link compileKeywordMatcher}.
 * - `matchesRegex`: the NFKC-normalised text (not lower-cased; use the i flag), cut to
 *   {@link regexInputCap}, against a pattern in the safe subset ({@link checkRegexSafety}).
 * - `withinHours`: the fact instant is at most N hours before now (inclusive; instants in
 *   the future count, to tolerate clock skew). `olderThanHours`: more than N hours before
 *   now. For a valid instant exactly one of the two holds. "Now" is the evaluation's.
 * - `betweenHours`: `from <= hour < to`, or `hour >= from || hour < to` when from > to
 *   (`[22, 6]` is 22:00–05:59); the fact is a number 0 ≤ h < 24.
 * - `lengthGreaterThan`: the text has more than N code points.
 */
export const customOperators: readonly CustomOperator[] = [
  {
    name: 'containsAny',
    test: (fact, value) => keywordMatcherFor(value)?.any(fact as string) ?? false,
    factValidator: isString,
  },
  {
    name: 'containsAll',
    test: (fact, value) => keywordMatcherFor(value)?.all(fact as string) ?? false,
    factValidator: isString,
  },
  {
    name: 'matchesRegex',
    test: (fact, value) => regexFor(value)?.test(regexTexts.get(fact as string)) ?? false,
    factValidator: isString,
  },
  {
    name: 'withinHours',
    test: (fact, value, now) => isPositiveHours(value) && ageInHours(fact, now) <= value,
  },
  {
    name: 'olderThanHours',
    test: (fact, value, now) => isPositiveHours(value) && ageInHours(fact, now) > value,
  },
  {
    name: 'betweenHours',
    test: (fact, value) => {
      if (typeof fact !== 'number' || !(fact >= 0 && fact < 24) || !isHourRange(value)) return false;
      const [from, to] = value;
      return from < to ? fact >= from && fact < to : fact >= from || fact < to;
    },
  },
  {
    name: 'lengthGreaterThan',
    test: (fact, value) => isNonNegativeInteger(value) && longerThan(fact as string, value),
    factValidator: isString,
  },
];

/**
 * The custom operators as json-rules-engine Operators whose time operators read now (epoch
 * ms) from `now`: an engine per evaluation passes the evaluation's instant.
 */
export function customOperatorsAt(now: () => number): Operator[] {
  return customOperators.map(
    ({ name, test, factValidator }) =>
      new Operator<unknown, unknown>(name, (fact, value) => test(fact, value, now()), factValidator),
  );
}

/**
 * Adds every custom operator to an engine, its time operators reading now from `now` (cheap:
 * compiled matchers live in module caches).
 */
export function registerOperators(engine: Engine, now: () => number): void {
  for (const operator of customOperatorsAt(now)) engine.addOperator(operator);
}
