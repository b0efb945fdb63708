/**
 * `containsAny` / `containsAll`: keyword lists compiled to matchers, text compared after
 * {@link nfkcLowerCase}.
 */
import { BoundedCache, RecentStrings } from './string-caches';

/**
 * The form both complaint text and keywords are compared in: Unicode NFKC (full-width
 * "ＣＦＰＢ１２３" becomes "CFPB123", ligatures and compatibility characters are unfolded),
 * then lower-cased.
 */
export function nfkcLowerCase(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const normalizedTexts = new RecentStrings(8, nfkcLowerCase);

/** A keyword list compiled once; every method takes raw (un-normalised) text. */
export interface KeywordMatcher {
  /** Whether at least one keyword occurs in the text. */
  any(text: string): boolean;
  /** Whether every keyword occurs in the text (false for an empty or blank-only list). */
  all(text: string): boolean;
  /** The keywords (as written, in list order, without duplicates) that occur in the text. */
  matches(text: string): string[];
}

const regExpSyntax = /[\\^$.*+?()[\]{}|/]/g;

const whitespaceRun = /\s+/u;

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

interface CompiledKeyword {
  keyword: string;
  /** Regular-expression source for the keyword, or undefined for a blank keyword. */
  source: string | undefined;
  /** Tests normalised text. */
  test: (normalized: string) => boolean;
}

function compileKeyword(keyword: string): CompiledKeyword {
  const tokens = nfkcLowerCase(keyword)
    .split(whitespaceRun)
    .filter((token) => token.length > 0);
  const firstToken = tokens[0];
  const lastToken = tokens[tokens.length - 1];
  if (firstToken === undefined || lastToken === undefined) {
    return { keyword, source: undefined, test: () => false };
  }
  const guardStart = isAsciiAlphanumeric(firstToken.charCodeAt(0));
  const guardEnd = isAsciiAlphanumeric(lastToken.charCodeAt(lastToken.length - 1));
  const source =
    (guardStart ? '(?<![a-z0-9])' : '') +
    tokens.map((token) => token.replace(regExpSyntax, '\\$&')).join('\\s+') +
    (guardEnd ? '(?![a-z0-9])' : '');
  if (tokens.length === 1 && !guardStart && !guardEnd) {
    // Pure CJK or punctuation: a plain substring search beats a regular expression.
    return { keyword, source, test: (normalized) => normalized.includes(firstToken) };
  }
  const pattern = new RegExp(source, 'u');
  return { keyword, source, test: (normalized) => pattern.test(normalized) };
}

/**
 * Compiles a keyword list into a matcher. Text and keywords are compared after
 * {@link nfkcLowerCase}. Matching rules:
 *
 * - A keyword is found as a substring, except at an edge where the keyword starts or ends
 *   with an ASCII letter or digit: there the neighbouring text character must not be an
 *   ASCII letter or digit. So "sue" does not match "issue", "CFPB" does not match "XCFPBY",
 *   "lawsuit" matches "Lawsuit!", and "12315" matches "打12315热线" (CJK characters,
 *   punctuation and spaces are boundaries; non-ASCII letters such as "é" are not word
 *   characters here). Chinese keywords have no edges to guard and match anywhere.
 * - Whitespace inside a keyword matches any run of whitespace ("attorney general" matches
 *   "Attorney\n General"); leading and trailing whitespace is ignored.
 * - A keyword that is blank after normalisation never matches.
 *
 * `any` runs one combined regular expression; `all` and `matches` test keyword by keyword.
 * The normalised text of the last few inputs is cached.
 */
export function compileKeywordMatcher(keywords: readonly string[]): KeywordMatcher {
  const compiled = keywords.map(compileKeyword);
  const sources = [
    ...new Set(compiled.flatMap((keyword) => (keyword.source === undefined ? [] : [keyword.source]))),
  ];
  const combined = sources.length > 0 ? new RegExp(sources.join('|'), 'u') : undefined;
  const hasBlank = compiled.some((keyword) => keyword.source === undefined);

  return {
    any(text) {
      return typeof text === 'string' && combined !== undefined && combined.test(normalizedTexts.get(text));
    },
    all(text) {
      if (typeof text !== 'string' || compiled.length === 0 || hasBlank) return false;
      const normalized = normalizedTexts.get(text);
      return compiled.every((keyword) => keyword.test(normalized));
    },
    matches(text) {
      if (typeof text !== 'string') return [];
      const normalized = normalizedTexts.get(text);
      const found = new Set<string>();
      for (const keyword of compiled) {
        if (!found.has(keyword.keyword) && keyword.test(normalized)) found.add(keyword.keyword);
      }
      return [...found];
    },
  };
}

// Rule values are parsed once and never mutated, so the array object is a sound cache key;
// the string-keyed fallback covers values that arrive as fresh arrays (e.g. fact references).
const keywordMatchersByValue = new WeakMap<object, KeywordMatcher | null>();

const keywordMatchersByKey = new BoundedCache<string, KeywordMatcher>(500);

export function keywordMatcherFor(value: unknown): KeywordMatcher | null {
  if (!Array.isArray(value)) return null;
  const cached = keywordMatchersByValue.get(value);
  if (cached !== undefined) return cached;
  const list: readonly unknown[] = value;
  let matcher: KeywordMatcher | null = null;
  if (list.length > 0 && list.every((keyword) => typeof keyword === 'string')) {
    const keywords = list as readonly string[];
    const key = JSON.stringify(keywords);
    matcher = keywordMatchersByKey.get(key) ?? compileKeywordMatcher(keywords);
    keywordMatchersByKey.set(key, matcher);
  }
  keywordMatchersByValue.set(value, matcher);
  return matcher;
}
