/** `matchesRegex` at run time: checked patterns compiled once, input capped and normalised. */
import { analysePattern } from './regex-safety';
import { BoundedCache, RecentStrings } from './string-caches';

/**
 * `matchesRegex` looks at most at this many UTF-16 code units of (NFKC-normalised) text.
 * Patterns in the safe subset backtrack at worst about quadratically in the text length
 * (tens of milliseconds at this cap on adversarial input), so the cap bounds the cost.
 */
export const regexInputCap = 10_000;

/** The value of a `matchesRegex` condition. */
export type RegexOperatorValue = string | { pattern: string; flags?: string };

export function regexParts(value: unknown): { pattern: string; flags: string } | string {
  if (typeof value === 'string') return { pattern: value, flags: '' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'matchesRegex expects a pattern string or { "pattern": string, "flags"?: string }';
  }
  const record = value as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => key !== 'pattern' && key !== 'flags');
  if (unknownKey !== undefined) return `matchesRegex value has an unknown key "${unknownKey}"`;
  if (typeof record.pattern !== 'string') return 'matchesRegex expects "pattern" to be a string';
  if (record.flags !== undefined && typeof record.flags !== 'string')
    return 'matchesRegex expects "flags" to be a string';
  return { pattern: record.pattern, flags: record.flags ?? '' };
}

const compiledRegexByValue = new WeakMap<object, RegExp | null>();

const compiledRegexByKey = new BoundedCache<string, RegExp | null>(500);

function compileSafeRegex(pattern: string, flags: string): RegExp | null {
  const key = `${flags}/${pattern}`;
  const cached = compiledRegexByKey.get(key);
  if (cached !== undefined) return cached;
  let regex: RegExp | null = null;
  try {
    const analysis = analysePattern(pattern, flags);
    if (typeof analysis !== 'string') regex = new RegExp(analysis.source, flags);
  } catch {
    regex = null; // never let a rule value break an evaluation
  }
  compiledRegexByKey.set(key, regex);
  return regex;
}

export function regexFor(value: unknown): RegExp | null {
  if (typeof value === 'object' && value !== null) {
    const cached = compiledRegexByValue.get(value);
    if (cached !== undefined) return cached;
  }
  const parts = regexParts(value);
  const regex = typeof parts === 'string' ? null : compileSafeRegex(parts.pattern, parts.flags);
  if (typeof value === 'object' && value !== null) compiledRegexByValue.set(value, regex);
  return regex;
}

export const regexTexts = new RecentStrings(8, (text) => {
  const normalized = text.normalize('NFKC');
  return normalized.length > regexInputCap ? normalized.slice(0, regexInputCap) : normalized;
});
