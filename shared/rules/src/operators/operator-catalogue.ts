/**
 * The operator catalogue: every operator a rule may name — json-rules-engine's built-ins, its
 * decorators and our custom operators — with the engine's semantics, written once. The rule
 * loader validates against it ({@link knownOperators}, {@link validateOperatorValue}), the
 * compiled evaluator applies its {@link Evaluator}s ({@link resolveOperator}) and the
 * reference engine registers the same custom operators ({@link registerOperators}).
 */
import { customOperators, isHourRange, isNonNegativeInteger, isPositiveHours } from './custom-operators';
import { nfkcLowerCase } from './keyword-matcher';
import { checkRegexSafety } from './regex-safety';
import { regexParts } from './safe-regex';
import { rulesetLimits } from '../ruleset-limits';

/**
 * An operator applied to a fact value and a condition value at the evaluation's now (epoch
 * ms; only the time operators read it): json-rules-engine's Operator.evaluate().
 */
export type Evaluator = (factValue: unknown, jsonValue: unknown, now: number) => unknown;

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
    : (factValue, jsonValue, now) => validator(factValue) && cb(factValue, jsonValue, now);
}

// parseFloat(String(n)) is NaN only for NaN itself, so numbers take a shortcut.
const numberValidator = (factValue: unknown) =>
  typeof factValue === 'number'
    ? !Number.isNaN(factValue)
    : Number.parseFloat(factValue as string).toString() !== 'NaN';

const isArray = (factValue: unknown) => Array.isArray(factValue);

/** json-rules-engine's built-in operators (engine-default-operators.js). */
const builtInOperators = new Map<string, Evaluator>([
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  ['lessThan', withValidator((a, b) => (a as number) < (b as number), numberValidator)],
  ['lessThanInclusive', withValidator((a, b) => (a as number) <= (b as number), numberValidator)],
  ['greaterThan', withValidator((a, b) => (a as number) > (b as number), numberValidator)],
  ['greaterThanInclusive', withValidator((a, b) => (a as number) >= (b as number), numberValidator)],
  ['in', (a, b) => (b as Searchable).indexOf(a) > -1],
  ['notIn', (a, b) => (b as Searchable).indexOf(a) === -1],
  ['contains', withValidator((a, b) => (a as Searchable).indexOf(b) > -1, isArray)],
  ['doesNotContain', withValidator((a, b) => (a as Searchable).indexOf(b) === -1, isArray)],
]);

/** Every operator by name: the built-ins, then {@link customOperators}. */
const operators = new Map<string, Evaluator>(builtInOperators);
for (const { name, test, factValidator } of customOperators)
  operators.set(name, withValidator(test, factValidator));

type Decorator = (next: Evaluator) => Evaluator;

/** json-rules-engine's operator decorators (engine-default-operator-decorators.js): "not:equal", "someFact:containsAny" … */
const decorators = new Map<string, Decorator>([
  [
    'someFact',
    (next) => withValidator((f, v, now) => (f as ArrayMethods).some((item) => next(item, v, now)), isArray),
  ],
  ['someValue', (next) => (f, v, now) => (v as ArrayMethods).some((item) => next(f, item, now))],
  [
    'everyFact',
    (next) => withValidator((f, v, now) => (f as ArrayMethods).every((item) => next(item, v, now)), isArray),
  ],
  ['everyValue', (next) => (f, v, now) => (v as ArrayMethods).every((item) => next(f, item, now))],
  ['swap', (next) => (f, v, now) => next(v, f, now)],
  ['not', (next) => (f, v, now) => !next(f, v, now)],
]);

/** Every operator a rule may name: json-rules-engine's built-ins plus {@link customOperators}. */
export const knownOperators: ReadonlySet<string> = new Set<string>(operators.keys());

/**
 * The operator under a decorated name's leading decorators ("not:someFact:containsAny" →
 * "containsAny"); the name itself when it has none.
 */
export function baseOperatorOf(operator: string): string {
  const parts = operator.split(':');
  while (parts.length > 1 && decorators.has(parts[0] ?? '')) parts.shift();
  return parts.join(':');
}

/** OperatorMap.get(): peels known decorators off the front until a known operator remains. */
export function resolveOperator(name: string): Evaluator | undefined {
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
export function operatorMayThrow(name: string, evaluator: Evaluator | undefined, value: unknown): boolean {
  if (evaluator === undefined) return true;
  const parts = name.split(':');
  const base = parts.pop() ?? '';
  if (parts.includes('swap')) return true;
  const spreads = parts.filter((part) => part === 'someValue' || part === 'everyValue').length;
  const searches = base === 'in' || base === 'notIn';
  // Nothing is known about a { "fact": … } value's type.
  if (isEngineFactReference(value)) return spreads > 0 || searches;
  if (spreads > 1 || (spreads === 1 && !Array.isArray(value))) return true;
  const values: readonly unknown[] = spreads === 1 ? (value as unknown[]) : [value];
  return searches && !values.every((item) => Array.isArray(item) || typeof item === 'string');
}

/**
 * json-rules-engine's test for a `{ "fact": … }` value (almanac.getValue()): any object with
 * an own `fact` property. The evaluator resolves such values before the fact, as the engine does.
 */
export function isEngineFactReference(
  value: unknown,
): value is { fact: unknown; params?: unknown; path?: unknown } {
  return value != null && typeof value === 'object' && Object.hasOwn(value, 'fact');
}

/**
 * The rule loader's narrower test: a non-array object whose `fact` names a fact (a string).
 * Only such values skip the load-time value check; anything else is checked as a literal.
 */
function isNamedFactReference(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).fact === 'string'
  );
}

function keywordProblem(operator: string, value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return `${operator} expects a non-empty array of keywords`;
  const list: readonly unknown[] = value;
  if (list.length > rulesetLimits.maxKeywordsPerList)
    return `${operator} has ${list.length} keywords (at most ${rulesetLimits.maxKeywordsPerList} in one list)`;
  const index = list.findIndex(
    (keyword) => typeof keyword !== 'string' || nfkcLowerCase(keyword).trim() === '',
  );
  if (index !== -1)
    return `${operator} expects non-empty keyword strings (item ${index} is ${JSON.stringify(list[index])})`;
  return undefined;
}

function valueProblem(operator: string, value: unknown): string | undefined {
  switch (operator) {
    case 'containsAny':
    case 'containsAll':
      return keywordProblem(operator, value);
    case 'matchesRegex': {
      const parts = regexParts(value);
      if (typeof parts === 'string') return parts;
      const problem = checkRegexSafety(parts.pattern, parts.flags);
      return problem === undefined
        ? undefined
        : `matchesRegex pattern ${JSON.stringify(parts.pattern)} rejected: ${problem}`;
    }
    case 'withinHours':
    case 'olderThanHours':
      return isPositiveHours(value) ? undefined : `${operator} expects a positive number of hours`;
    case 'betweenHours':
      return isHourRange(value)
        ? undefined
        : 'betweenHours expects [from, to] with whole hours from 0-23 and to 0-24, from ≠ to (from > to wraps midnight)';
    case 'lengthGreaterThan':
      return isNonNegativeInteger(value) ? undefined : 'lengthGreaterThan expects a non-negative integer';
    case 'in':
    case 'notIn':
      return Array.isArray(value) ? undefined : `${operator} expects an array`;
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${operator} expects a number`;
    case 'equal':
    case 'notEqual':
    case 'contains':
    case 'doesNotContain':
      return undefined;
    default:
      return `unknown operator "${operator}"`;
  }
}

/**
 * Checks the `value` of a condition when rules are loaded; returns a message for the rule
 * author, or undefined when the value fits the operator. Accepts decorated operators
 * (`not:containsAny`; with `someValue:`/`everyValue:` the value is an array of values) and
 * json-rules-engine fact references (`{ "fact": "…" }`), which can only be checked when the
 * rule runs (where a bad value makes the condition false).
 */
export function validateOperatorValue(operator: string, value: unknown): string | undefined {
  if (isNamedFactReference(value)) return undefined;
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  if (parts.some((decorator) => !decorators.has(decorator))) return `unknown operator "${operator}"`;
  if (parts.includes('swap')) return knownOperators.has(base) ? undefined : `unknown operator "${operator}"`;
  if (parts.includes('someValue') || parts.includes('everyValue')) {
    if (!knownOperators.has(base)) return `unknown operator "${operator}"`;
    if (!Array.isArray(value) || value.length === 0) return `${operator} expects a non-empty array of values`;
    const list: readonly unknown[] = value;
    for (const item of list) {
      const problem = valueProblem(base, item);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return valueProblem(base, value);
}
