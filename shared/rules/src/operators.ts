/**
 * Custom json-rules-engine operators for triage rules, and the load-time checks for their
 * values. Everything here is pure and synchronous: operators never throw and never do I/O,
 * and a fact of the wrong type simply makes the condition false.
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
import { Operator, type Engine } from 'json-rules-engine';

// ---------------------------------------------------------------------------------------
// Small caches
// ---------------------------------------------------------------------------------------

/** A Map that forgets its least recently used entry beyond `limit` entries. */
class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/**
 * Remembers the result of a string transform for the last few inputs. One evaluation tests
 * the same complaint text against dozens of conditions, so a handful of slots is enough and
 * a miss costs at most `size` string comparisons.
 */
class RecentStrings {
  private readonly inputs: (string | undefined)[];
  private readonly outputs: string[];
  private next = 0;

  constructor(
    size: number,
    private readonly transform: (input: string) => string,
  ) {
    this.inputs = new Array<string | undefined>(size).fill(undefined);
    this.outputs = new Array<string>(size).fill('');
  }

  get(input: string): string {
    for (let i = 0; i < this.inputs.length; i += 1) {
      if (this.inputs[i] === input) return this.outputs[i] ?? this.transform(input);
    }
    const output = this.transform(input);
    this.inputs[this.next] = input;
    this.outputs[this.next] = output;
    this.next = (this.next + 1) % this.inputs.length;
    return output;
  }
}

// ---------------------------------------------------------------------------------------
// Keywords: containsAny / containsAll
// ---------------------------------------------------------------------------------------

/**
 * The form both complaint text and keywords are compared in: Unicode NFKC (full-width
 * "ＣＦＰＢ１２３" becomes "CFPB123", ligatures and compatibility characters are unfolded),
 * then lower-cased.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const normalizedTexts = new RecentStrings(8, normalizeText);

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
  const tokens = normalizeText(keyword)
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
 * {@link normalizeText}. Matching rules:
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

function keywordMatcherFor(value: unknown): KeywordMatcher | null {
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

// ---------------------------------------------------------------------------------------
// Regular expressions: matchesRegex and its safe subset
// ---------------------------------------------------------------------------------------

/** Longest pattern `matchesRegex` accepts, in UTF-16 code units. */
export const maxRegexPatternLength = 500;

/**
 * `matchesRegex` looks at most at this many UTF-16 code units of (NFKC-normalised) text.
 * Patterns in the safe subset backtrack at worst about quadratically in the text length
 * (tens of milliseconds at this cap on adversarial input), so the cap bounds the cost.
 */
export const regexInputCap = 10_000;

const allowedRegexFlags = new Set(['i', 'm', 's', 'u']);
const maxRepeatCount = 1000;
const maxExpandedAlternatives = 64;

class UnsafePattern extends Error {}

/** A set of code points (code units without the u flag): sorted, disjoint, inclusive ranges. */
type CharSet = readonly (readonly [number, number])[];

const emptySet: CharSet = [];

function normalizeSet(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

function union(a: CharSet, b: CharSet): CharSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalizeSet([...a, ...b]);
}

function intersect(a: CharSet, b: CharSet): CharSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aLow, aHigh] = a[i] as readonly [number, number];
    const [bLow, bHigh] = b[j] as readonly [number, number];
    const low = Math.max(aLow, bLow);
    const high = Math.min(aHigh, bHigh);
    if (low <= high) out.push([low, high]);
    if (aHigh < bHigh) i += 1;
    else j += 1;
  }
  return out;
}

function intersects(a: CharSet, b: CharSet): boolean {
  return intersect(a, b).length > 0;
}

function complement(set: CharSet, max: number): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [low, high] of set) {
    if (low > next) out.push([next, low - 1]);
    next = high + 1;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

const digitSet: CharSet = [[0x30, 0x39]];
const wordSet: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const spaceSet: CharSet = normalizeSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
const lineTerminators: CharSet = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
/** Non-ASCII blocks without case (verified: no code point in or out of them case-maps into them). */
const caselessBlocks: CharSet = normalizeSet([
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x206f],
  [0x3000, 0x30ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7af],
  [0xd800, 0xdfff],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xfeff, 0xfeff],
  [0xff01, 0xff20],
  [0xff3b, 0xff40],
  [0xff5b, 0xff65],
  [0x20000, 0x2ffff],
]);
const sLike: CharSet = normalizeSet([
  [0x53, 0x53],
  [0x73, 0x73],
  [0x17f, 0x17f],
]);
const kLike: CharSet = normalizeSet([
  [0x4b, 0x4b],
  [0x6b, 0x6b],
  [0x212a, 0x212a],
]);

interface RegexFlags {
  ignoreCase: boolean;
  unicode: boolean;
  dotAll: boolean;
  /** Largest code point (0x10ffff) or code unit (0xffff). */
  max: number;
}

/**
 * An over-approximation of what a set matches under the i flag. ASCII letters fold exactly
 * (plus U+017F ſ and U+212A K, which fold to s and k with the u flag); any cased non-ASCII
 * character widens the set to everything non-ASCII.
 */
function foldCase(set: CharSet, flags: RegexFlags): CharSet {
  let out = set;
  const upper = intersect(set, [[0x41, 0x5a]]).map(([low, high]) => [low + 32, high + 32] as const);
  const lower = intersect(set, [[0x61, 0x7a]]).map(([low, high]) => [low - 32, high - 32] as const);
  out = union(out, normalizeSet([...upper, ...lower]));
  if (flags.unicode) {
    if (intersects(out, sLike)) out = union(out, sLike);
    if (intersects(out, kLike)) out = union(out, kLike);
  }
  const casedNonAscii = intersect(intersect(set, [[0x80, flags.max]]), complement(caselessBlocks, flags.max));
  if (casedNonAscii.length > 0) {
    out = union(out, [[0x80, flags.max]]);
    if (flags.unicode) out = union(union(out, sLike), kLike);
  }
  return out;
}

type RegexNode =
  | { kind: 'char'; set: CharSet; source?: string }
  | { kind: 'assertion' }
  | { kind: 'group'; alternatives: RegexNode[][]; at: number }
  | { kind: 'repeat'; node: RegexNode; min: number; max: number; at: number; atomSource: string };

/** A recursive-descent parser for the accepted syntax; anything else is an UnsafePattern. */
class PatternParser {
  private readonly chars: string[];
  private pos = 0;

  constructor(
    pattern: string,
    private readonly flags: RegexFlags,
  ) {
    this.chars = flags.unicode ? Array.from(pattern) : pattern.split('');
  }

  parse(): RegexNode {
    const alternatives = this.alternation();
    if (this.pos < this.chars.length) this.fail('unmatched ")"');
    return { kind: 'group', alternatives, at: 0 };
  }

  private fail(message: string, at = this.pos): never {
    throw new UnsafePattern(`${message} at position ${at}`);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private codeOf(char: string): number {
    return (this.flags.unicode ? char.codePointAt(0) : char.charCodeAt(0)) ?? 0;
  }

  private charNode(set: CharSet): RegexNode {
    return { kind: 'char', set: this.flags.ignoreCase ? foldCase(set, this.flags) : set };
  }

  private alternation(): RegexNode[][] {
    const alternatives = [this.sequence()];
    while (this.peek() === '|') {
      this.pos += 1;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): RegexNode[] {
    const items: RegexNode[] = [];
    for (let char = this.peek(); char !== undefined && char !== '|' && char !== ')'; char = this.peek()) {
      const at = this.pos;
      const atom = this.atom();
      const atomSource = this.chars.slice(at, this.pos).join('');
      const quantifier = this.quantifier();
      if (quantifier === undefined) {
        items.push(atom.kind === 'char' ? { ...atom, source: atomSource } : atom);
        continue;
      }
      if (atom.kind === 'assertion') this.fail('a quantifier cannot repeat an anchor or \\b', at);
      items.push({ kind: 'repeat', node: atom, min: quantifier.min, max: quantifier.max, at, atomSource });
    }
    return items;
  }

  private atom(): RegexNode {
    const at = this.pos;
    const char = this.peek();
    switch (char) {
      case '(':
        return this.group();
      case '[':
        return this.charNode(this.characterClass());
      case '.':
        this.pos += 1;
        return this.charNode(
          this.flags.dotAll ? [[0, this.flags.max]] : complement(lineTerminators, this.flags.max),
        );
      case '^':
      case '$':
        this.pos += 1;
        return { kind: 'assertion' };
      case '\\':
        return this.atomEscape();
      case '*':
      case '+':
      case '?':
        return this.fail(`nothing to repeat before "${char}"`, at);
      case '{':
      case '}':
      case ']':
        return this.fail(`a literal "${char}" must be escaped as "\\${char}"`, at);
      default: {
        this.pos += 1;
        const code = this.codeOf(char ?? '');
        return this.charNode([[code, code]]);
      }
    }
  }

  private group(): RegexNode {
    const at = this.pos;
    this.pos += 1;
    if (this.peek() === '?') {
      const kind = this.peek(1);
      if (kind === ':') {
        this.pos += 2;
      } else if (kind === '=' || kind === '!') {
        this.fail('lookahead is not supported', at);
      } else if (kind === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
        this.fail('lookbehind is not supported', at);
      } else if (kind === '<') {
        this.pos += 2;
        let name = '';
        for (let char = this.peek(); char !== '>'; char = this.peek()) {
          if (char === undefined) this.fail('unterminated group name', at);
          name += char;
          this.pos += 1;
        }
        if (!/^[A-Za-z_$][\w$]*$/.test(name)) this.fail(`invalid group name "${name}"`, at);
        this.pos += 1;
      } else {
        this.fail(`unsupported group "(?${kind ?? ''}"`, at);
      }
    }
    const alternatives = this.alternation();
    if (this.peek() !== ')') this.fail('missing ")"', at);
    this.pos += 1;
    return { kind: 'group', alternatives, at };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const at = this.pos;
    let bounds: { min: number; max: number } | undefined;
    switch (this.peek()) {
      case '*':
        bounds = { min: 0, max: Infinity };
        break;
      case '+':
        bounds = { min: 1, max: Infinity };
        break;
      case '?':
        bounds = { min: 0, max: 1 };
        break;
      case '{': {
        const rest = this.chars.slice(this.pos, this.pos + 16).join('');
        const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
        if (!match) return this.fail('a literal "{" must be escaped as "\\{"', at);
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
        if (max < min) this.fail('quantifier range out of order', at);
        if (min > maxRepeatCount || (max !== Infinity && max > maxRepeatCount)) {
          this.fail(`repeat counts above ${maxRepeatCount} are not supported`, at);
        }
        bounds = { min, max };
        this.pos += match[0].length - 1;
        break;
      }
      default:
        return undefined;
    }
    this.pos += 1;
    if (this.peek() === '?') this.pos += 1; // lazy: same cost model as greedy
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{')
      this.fail('nothing to repeat', this.pos);
    return bounds;
  }

  private atomEscape(): RegexNode {
    const at = this.pos;
    const letter = this.peek(1);
    if (letter === 'b' || letter === 'B') {
      this.pos += 2;
      return { kind: 'assertion' };
    }
    if (letter !== undefined && /[1-9]/.test(letter)) this.fail('backreferences are not supported', at);
    if (letter === 'k') this.fail('backreferences are not supported', at);
    return this.charNode(this.escapeSet(false).set);
  }

  /** Parses an escape at `\`; inside a class `\b` is a backspace. */
  private escapeSet(inClass: boolean): { set: CharSet; single?: number } {
    const at = this.pos;
    const letter = this.peek(1);
    if (letter === undefined) this.fail('trailing backslash', at);
    this.pos += 2;
    const single = (code: number) => ({ set: [[code, code]] as CharSet, single: code });
    switch (letter) {
      case 'd':
        return { set: digitSet };
      case 'D':
        return { set: complement(digitSet, this.flags.max) };
      case 'w':
        return { set: wordSet };
      case 'W':
        return { set: complement(wordSet, this.flags.max) };
      case 's':
        return { set: spaceSet };
      case 'S':
        return { set: complement(spaceSet, this.flags.max) };
      case 'p':
      case 'P': {
        if (!this.flags.unicode) this.fail(`\\${letter} needs the u flag`, at);
        if (this.peek() !== '{') this.fail(`\\${letter} needs a {property}`, at);
        while (this.peek() !== '}') {
          if (this.peek() === undefined) this.fail('unterminated property escape', at);
          this.pos += 1;
        }
        this.pos += 1;
        // Property sets are not modelled: treat them as "anything" (conservative).
        return { set: [[0, this.flags.max]] };
      }
      case 't':
        return single(0x09);
      case 'n':
        return single(0x0a);
      case 'v':
        return single(0x0b);
      case 'f':
        return single(0x0c);
      case 'r':
        return single(0x0d);
      case 'b':
        if (inClass) return single(0x08);
        return this.fail('unexpected \\b', at);
      case '0':
        if (/[0-9]/.test(this.peek() ?? '')) this.fail('octal escapes are not supported', at);
        return single(0);
      case 'c': {
        const control = this.peek() ?? '';
        if (!/^[A-Za-z]$/.test(control)) this.fail('\\c needs a letter', at);
        this.pos += 1;
        return single(control.charCodeAt(0) % 32);
      }
      case 'x': {
        const hex = this.chars.slice(this.pos, this.pos + 2).join('');
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail('\\x needs two hex digits', at);
        this.pos += 2;
        return single(parseInt(hex, 16));
      }
      case 'u':
        return single(this.unicodeEscape(at));
      default:
        if (/[A-Za-z0-9_]/.test(letter)) {
          this.fail(`unsupported escape "\\${letter}" (JavaScript would read it as a plain "${letter}")`, at);
        }
        return single(this.codeOf(letter));
    }
  }

  private unicodeEscape(at: number): number {
    if (this.flags.unicode && this.peek() === '{') {
      const close = this.chars.indexOf('}', this.pos);
      const hex = close === -1 ? '' : this.chars.slice(this.pos + 1, close).join('');
      const code = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (!(code <= 0x10ffff)) this.fail('invalid \\u{…} escape', at);
      this.pos = close + 1;
      return code;
    }
    const read = (): number => {
      const hex = this.chars.slice(this.pos, this.pos + 4).join('');
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('\\u needs four hex digits', at);
      this.pos += 4;
      return parseInt(hex, 16);
    };
    const code = read();
    // With the u flag an escaped surrogate pair is one code point.
    if (
      this.flags.unicode &&
      code >= 0xd800 &&
      code <= 0xdbff &&
      this.peek() === '\\' &&
      this.peek(1) === 'u'
    ) {
      const save = this.pos;
      this.pos += 2;
      const low = /^[0-9A-Fa-f]{4}$/.test(this.chars.slice(this.pos, this.pos + 4).join('')) ? read() : -1;
      if (low >= 0xdc00 && low <= 0xdfff) return (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      this.pos = save;
    }
    return code;
  }

  private characterClass(): CharSet {
    const at = this.pos;
    this.pos += 1;
    const negated = this.peek() === '^';
    if (negated) this.pos += 1;
    let set: CharSet = emptySet;
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail('unterminated character class', at);
      const start = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos += 1;
        const end = this.classAtom();
        if (start.single === undefined || end.single === undefined) {
          this.fail('a range in a character class needs single characters at both ends', at);
        }
        if (start.single > end.single) this.fail('character class range out of order', at);
        set = union(set, [[start.single, end.single]]);
      } else {
        set = union(set, start.set);
      }
    }
    this.pos += 1;
    return negated ? complement(set, this.flags.max) : set;
  }

  private classAtom(): { set: CharSet; single?: number } {
    const char = this.peek() ?? '';
    if (char === '\\') {
      const letter = this.peek(1);
      if (letter === 'B' || letter === 'k' || (letter !== undefined && /[1-9]/.test(letter))) {
        this.fail(`unsupported escape "\\${letter}" in a character class`, this.pos);
      }
      return this.escapeSet(true);
    }
    this.pos += 1;
    const code = this.codeOf(char);
    return { set: [[code, code]], single: code };
  }
}

interface NodeFacts {
  /** Characters that can start a match. */
  first: CharSet;
  /** Every character the node can consume. */
  chars: CharSet;
  nullable: boolean;
  hasRepeat: boolean;
}

function factsOf(node: RegexNode, memo: Map<RegexNode, NodeFacts>): NodeFacts {
  const known = memo.get(node);
  if (known) return known;
  let facts: NodeFacts;
  switch (node.kind) {
    case 'char':
      facts = { first: node.set, chars: node.set, nullable: false, hasRepeat: false };
      break;
    case 'assertion':
      facts = { first: emptySet, chars: emptySet, nullable: true, hasRepeat: false };
      break;
    case 'repeat': {
      const inner = factsOf(node.node, memo);
      facts = { ...inner, nullable: node.min === 0 || inner.nullable, hasRepeat: true };
      break;
    }
    case 'group': {
      const alternatives = node.alternatives.map((sequence) => sequenceFacts(sequence, memo));
      facts = {
        first: alternatives.reduce<CharSet>((set, alternative) => union(set, alternative.first), emptySet),
        chars: alternatives.reduce<CharSet>((set, alternative) => union(set, alternative.chars), emptySet),
        nullable: alternatives.some((alternative) => alternative.nullable),
        hasRepeat: alternatives.some((alternative) => alternative.hasRepeat),
      };
      break;
    }
  }
  memo.set(node, facts);
  return facts;
}

function sequenceFacts(sequence: readonly RegexNode[], memo: Map<RegexNode, NodeFacts>): NodeFacts {
  let first: CharSet = emptySet;
  let chars: CharSet = emptySet;
  let nullable = true;
  let hasRepeat = false;
  for (const item of sequence) {
    const facts = factsOf(item, memo);
    if (nullable) first = union(first, facts.first);
    nullable = nullable && facts.nullable;
    chars = union(chars, facts.chars);
    hasRepeat = hasRepeat || facts.hasRepeat;
  }
  return { first, chars, nullable, hasRepeat };
}

/**
 * The character-set strings a quantifier-free sequence can match, or undefined when it
 * contains a quantifier or expands to too many strings.
 */
function expandSequence(sequence: readonly RegexNode[]): CharSet[][] | undefined {
  let strings: CharSet[][] = [[]];
  for (const item of sequence) {
    if (item.kind === 'repeat') return undefined;
    if (item.kind === 'assertion') continue;
    if (item.kind === 'char') {
      strings = strings.map((string) => [...string, item.set]);
      continue;
    }
    const options: CharSet[][] = [];
    for (const alternative of item.alternatives) {
      const expanded = expandSequence(alternative);
      if (expanded === undefined) return undefined;
      options.push(...expanded);
    }
    if (strings.length * options.length > maxExpandedAlternatives) return undefined;
    strings = strings.flatMap((string) => options.map((option) => [...string, ...option]));
  }
  return strings;
}

/** Whether one string can be a prefix of the other (a backtracking engine may try both). */
function prefixCompatible(a: readonly CharSet[], b: readonly CharSet[]): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    if (!intersects(a[i] ?? emptySet, b[i] ?? emptySet)) return false;
  }
  return true;
}

/**
 * Whether some input lets two alternatives of a group both match from the same position
 * (so the rest of the pattern may be tried once per alternative). Exact for quantifier-free
 * alternatives (one can match a prefix of what another matches); otherwise conservative:
 * the first characters overlap or an alternative can match empty text.
 */
function alternativesOverlap(
  group: Extract<RegexNode, { kind: 'group' }>,
  memo: Map<RegexNode, NodeFacts>,
): boolean {
  if (group.alternatives.length < 2) return false;
  const expanded: CharSet[][][] = [];
  for (const alternative of group.alternatives) {
    const strings = expandSequence(alternative);
    if (strings === undefined) return firstCharactersOverlap(group.alternatives, memo);
    expanded.push(strings);
  }
  for (let i = 0; i < expanded.length; i += 1) {
    for (let j = i + 1; j < expanded.length; j += 1) {
      for (const a of expanded[i] ?? []) {
        for (const b of expanded[j] ?? []) if (prefixCompatible(a, b)) return true;
      }
    }
  }
  return false;
}

function firstCharactersOverlap(
  alternatives: readonly RegexNode[][],
  memo: Map<RegexNode, NodeFacts>,
): boolean {
  const facts = alternatives.map((alternative) => sequenceFacts(alternative, memo));
  if (facts.some((alternative) => alternative.nullable)) return true;
  let seen: CharSet = emptySet;
  for (const alternative of facts) {
    if (intersects(seen, alternative.first)) return true;
    seen = union(seen, alternative.first);
  }
  return false;
}

/** Rejects nested quantifiers, empty repeats and ambiguous alternation inside repeats. */
function checkStructure(node: RegexNode, insideRepeat: boolean, memo: Map<RegexNode, NodeFacts>): void {
  if (node.kind === 'repeat') {
    const inner = factsOf(node.node, memo);
    if (inner.nullable)
      throw new UnsafePattern(`quantifier on something that can match empty text at position ${node.at}`);
    if (node.max > 1 && inner.hasRepeat) {
      throw new UnsafePattern(
        `nested quantifier (a repeated group containing a quantifier) at position ${node.at}`,
      );
    }
    checkStructure(node.node, insideRepeat || node.max > 1, memo);
    return;
  }
  if (node.kind !== 'group') return;
  if (insideRepeat && alternativesOverlap(node, memo)) {
    throw new UnsafePattern(`alternatives of a repeated group overlap (e.g. (a|ab)*) at position ${node.at}`);
  }
  for (const alternative of node.alternatives) {
    for (const item of alternative) checkStructure(item, insideRepeat, memo);
  }
}

/** A variable-length part of the pattern (a quantifier or an ambiguous alternation). */
interface OpenItem {
  at: number;
  chars: CharSet;
  /** Sets of the mandatory characters met since this item. */
  fences: readonly CharSet[];
}

/**
 * Rejects two variable-length parts that can compete for the same characters, such as
 * `\s*#?\s*`, `.*a.*b` or `a?a?a?aaa`: each such pair multiplies the backtracking by the
 * input length. A mandatory character between them that one of the two cannot match
 * ("fence", e.g. the "@" in `\w+@\w+`) settles where one stops and the other starts.
 */
class CompetitionCheck {
  constructor(private readonly memo: Map<RegexNode, NodeFacts>) {}

  sequence(sequence: readonly RegexNode[], open: readonly OpenItem[]): readonly OpenItem[] {
    return sequence.reduce((current, item) => this.node(item, current), open);
  }

  private node(node: RegexNode, open: readonly OpenItem[]): readonly OpenItem[] {
    switch (node.kind) {
      case 'assertion':
        return open;
      case 'char':
        return this.fence(open, node.set);
      case 'group': {
        const after = merge(node.alternatives.map((alternative) => this.sequence(alternative, open)));
        if (!alternativesOverlap(node, this.memo)) return after;
        return [...after, this.variable(open, node, node.at)];
      }
      case 'repeat': {
        if (node.max === 1) {
          const once = this.node(node.node, open);
          return node.min === 1 ? once : [...merge([once, open]), this.variable(open, node.node, node.at)];
        }
        // Repeated bodies hold no quantifiers and no ambiguous alternation (checkStructure).
        const chars = factsOf(node.node, this.memo).chars;
        const fenced = node.min >= 1 ? this.fence(open, chars) : open;
        return node.min === node.max ? fenced : [...fenced, this.variable(open, node.node, node.at)];
      }
    }
  }

  private variable(open: readonly OpenItem[], node: RegexNode, at: number): OpenItem {
    const chars = factsOf(node, this.memo).chars;
    for (const item of open) {
      const competes =
        intersects(item.chars, chars) && !item.fences.some((fence) => !intersects(fence, chars));
      if (competes) {
        throw new UnsafePattern(
          `the variable-length parts at positions ${item.at} and ${at} can match the same text ` +
            '(polynomial backtracking); put a character neither can match between them',
        );
      }
    }
    return { at, chars, fences: [] };
  }

  private fence(open: readonly OpenItem[], set: CharSet): readonly OpenItem[] {
    return open.flatMap((item) =>
      intersects(item.chars, set) ? [{ ...item, fences: [...item.fences, set] }] : [],
    );
  }
}

function merge(lists: readonly (readonly OpenItem[])[]): readonly OpenItem[] {
  return [...new Set(lists.flat())];
}

function parseFlags(flags: string): RegexFlags | string {
  for (const flag of flags) {
    if (!allowedRegexFlags.has(flag)) return `flag "${flag}" is not allowed (use i, m, s, u)`;
  }
  if (new Set(flags).size !== flags.length) return `flags "${flags}" repeat a flag`;
  const unicode = flags.includes('u');
  return {
    ignoreCase: flags.includes('i'),
    unicode,
    dotAll: flags.includes('s'),
    max: unicode ? 0x10ffff : 0xffff,
  };
}

/**
 * Checks that a pattern belongs to the backtracking-safe subset `matchesRegex` runs, and
 * returns why not, or undefined when it does. The subset (node has no RE2; this keeps the
 * native engine from exponential or high-polynomial backtracking):
 *
 * - at most {@link maxRegexPatternLength} characters; flags only from `i`, `m`, `s`, `u`;
 * - literals, `.`, classes `[...]`/`[^...]`, escapes `\d \D \w \W \s \S \t \n \r \v \f \0
 *   \cX \xHH \uHHHH \u{...}`, escaped punctuation, `\p{...}`/`\P{...}` (with u), anchors
 *   `^ $ \b \B`, groups `(...)`, `(?:...)`, `(?<name>...)`, alternation, and quantifiers
 *   `* + ? {n} {n,} {n,m}` (greedy or lazy, counts up to 1000);
 * - no backreferences (`\1`, `\k<name>`), no lookahead or lookbehind, no unknown letter
 *   escapes such as `\A` or `\z`, unescaped `{ } ]` only inside classes;
 * - no nested quantifiers: a group repeated more than once contains no quantifier
 *   (`(a+)+`, `(.*a){3}`, `(\w+\s?)*` are rejected; `(?:\+?86)?` is fine);
 * - nothing repeated can match empty text (`(a?)*`, `(?:)+`, `\b*`);
 * - alternatives inside a repeated group never overlap: no input lets two of them match
 *   from the same position (`(a|aa)*`, `(ab|a)+` are rejected, `(?:ab|cd)+` is fine);
 * - no two variable-length parts (quantifiers with min ≠ max, overlapping alternations)
 *   compete for the same characters without a separating character that one of them
 *   cannot match (`\s*#?\s*`, `.*a.*b`, `a?a?aa` are rejected; `\w+@\w+\.\w+`,
 *   `refund.*lawyer`, `\d{3}-?\d{4}` are fine).
 *
 * The analysis is conservative with the i flag and `\p{...}`. What remains backtracks at
 * worst about quadratically in the text length, which {@link regexInputCap} bounds.
 */
export function checkRegexSafety(pattern: string, flags = ''): string | undefined {
  const analysis = analysePattern(pattern, flags);
  return typeof analysis === 'string' ? analysis : undefined;
}

/**
 * Checks a pattern and returns the source to run, or why it is unsafe.
 *
 * The source to run differs for a pattern `P A+ REST` (P zero or more single-character
 * atoms, A one character atom, any unbounded quantifier): it gets the prefix
 * `(?<!(?=PA)[\s\S])`, i.e. it skips a start position when the attempt one position
 * earlier also matched P and entered the same run of A. That earlier attempt tried REST
 * at every position this one can, so no result changes, and the quadratic retry over a
 * long run (`\d+x` against a page of digits, `.\w+@` against a page of letters) becomes
 * linear.
 */
function analysePattern(pattern: string, flags: string): { source: string } | string {
  if (pattern.length === 0) return 'the pattern is empty';
  if (pattern.length > maxRegexPatternLength) {
    return `the pattern is ${pattern.length} characters long (at most ${maxRegexPatternLength})`;
  }
  const parsedFlags = parseFlags(flags);
  if (typeof parsedFlags === 'string') return parsedFlags;
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
  try {
    const root = new PatternParser(pattern, parsedFlags).parse();
    const memo = new Map<RegexNode, NodeFacts>();
    checkStructure(root, false, memo);
    new CompetitionCheck(memo).sequence([root], []);
    return { source: runSource(root, pattern) };
  } catch (error) {
    if (error instanceof UnsafePattern) return error.message;
    return `the pattern could not be checked: ${(error as Error).message}`;
  }
}

function runSource(root: RegexNode, pattern: string): string {
  // The top-level sequence, with plain single-alternative groups opened up.
  const items: RegexNode[] = [];
  const open = (node: RegexNode): void => {
    if (node.kind === 'group' && node.alternatives.length === 1) node.alternatives[0]?.forEach(open);
    else items.push(node);
  };
  open(root);
  const firstOther = items.findIndex((item) => item.kind !== 'char');
  const leading = firstOther === -1 ? items : items.slice(0, firstOther);
  const sources = leading.map((item) => (item.kind === 'char' ? item.source : undefined));
  const lead = firstOther === -1 ? undefined : items[firstOther];
  if (sources.some((source) => source === undefined)) return pattern;
  const prefix = sources.join('');
  if (lead?.kind !== 'repeat' || lead.node.kind !== 'char' || lead.max !== Infinity) return pattern;
  if (prefix === '') return `(?<!${lead.atomSource})${pattern}`;
  return `(?<!(?=${prefix}${lead.atomSource})[\\s\\S])${pattern}`;
}

/** The value of a `matchesRegex` condition. */
export type RegexOperatorValue = string | { pattern: string; flags?: string };

function regexParts(value: unknown): { pattern: string; flags: string } | string {
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

function regexFor(value: unknown): RegExp | null {
  if (typeof value === 'object' && value !== null) {
    const cached = compiledRegexByValue.get(value);
    if (cached !== undefined) return cached;
  }
  const parts = regexParts(value);
  const regex = typeof parts === 'string' ? null : compileSafeRegex(parts.pattern, parts.flags);
  if (typeof value === 'object' && value !== null) compiledRegexByValue.set(value, regex);
  return regex;
}

const regexTexts = new RecentStrings(8, (text) => {
  const normalized = text.normalize('NFKC');
  return normalized.length > regexInputCap ? normalized.slice(0, regexInputCap) : normalized;
});

// ---------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------

let operatorClock: () => number = Date.now;

/**
 * Replaces the clock `withinHours` and `olderThanHours` read "now" from (epoch ms;
 * `Date.now` by default) and returns a function that restores the previous one. For tests:
 * `const restore = setOperatorClock(() => fixedMs); … restore();`.
 */
export function setOperatorClock(now: () => number): () => void {
  const previous = operatorClock;
  operatorClock = now;
  return () => {
    operatorClock = previous;
  };
}

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

function ageInHours(fact: unknown): number {
  const at = instantOf(fact);
  return Number.isNaN(at) ? NaN : (operatorClock() - at) / 3_600_000;
}

function isPositiveHours(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isHourRange(value: unknown): value is [number, number] {
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

// ---------------------------------------------------------------------------------------
// Length
// ---------------------------------------------------------------------------------------

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

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// ---------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------

const isString = (fact: unknown): boolean => typeof fact === 'string';

/**
 * The custom operators, ready for `engine.addOperator`. Each returns false (never throws)
 * for a fact of the wrong type or a value that {@link validateOperatorValue} would reject.
 *
 * - `containsAny` / `containsAll`: keyword search, see {@link compileKeywordMatcher}.
 * - `matchesRegex`: the NFKC-normalised text (not lower-cased; use the i flag), cut to
 *   {@link regexInputCap}, against a pattern in the safe subset ({@link checkRegexSafety}).
 * - `withinHours`: the fact instant is at most N hours before now (inclusive; instants in
 *   the future count, to tolerate clock skew). `olderThanHours`: more than N hours before
 *   now. For a valid instant exactly one of the two holds.
 * - `betweenHours`: `from <= hour < to`, or `hour >= from || hour < to` when from > to
 *   (`[22, 6]` is 22:00–05:59); the fact is a number 0 ≤ h < 24.
 * - `lengthGreaterThan`: the text has more than N code points.
 */
export const customOperators: Operator[] = [
  new Operator<unknown, unknown>(
    'containsAny',
    (fact, value) => keywordMatcherFor(value)?.any(fact as string) ?? false,
    isString,
  ),
  new Operator<unknown, unknown>(
    'containsAll',
    (fact, value) => keywordMatcherFor(value)?.all(fact as string) ?? false,
    isString,
  ),
  new Operator<unknown, unknown>(
    'matchesRegex',
    (fact, value) => regexFor(value)?.test(regexTexts.get(fact as string)) ?? false,
    isString,
  ),
  new Operator<unknown, unknown>(
    'withinHours',
    (fact, value) => isPositiveHours(value) && ageInHours(fact) <= value,
  ),
  new Operator<unknown, unknown>(
    'olderThanHours',
    (fact, value) => isPositiveHours(value) && ageInHours(fact) > value,
  ),
  new Operator<unknown, unknown>('betweenHours', (fact, value) => {
    if (typeof fact !== 'number' || !(fact >= 0 && fact < 24) || !isHourRange(value)) return false;
    const [from, to] = value;
    return from < to ? fact >= from && fact < to : fact >= from || fact < to;
  }),
  new Operator<unknown, unknown>(
    'lengthGreaterThan',
    (fact, value) => isNonNegativeInteger(value) && longerThan(fact as string, value),
    isString,
  ),
];

/** Adds every custom operator to an engine (cheap: compiled matchers live in module caches). */
export function registerOperators(engine: Engine): void {
  for (const operator of customOperators) engine.addOperator(operator);
}

const builtInOperators = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

/** Every operator a rule may name: json-rules-engine's built-ins plus {@link customOperators}. */
export const knownOperators: ReadonlySet<string> = new Set<string>([
  ...builtInOperators,
  ...customOperators.map((operator) => operator.name),
]);

const operatorDecorators = new Set(['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not']);

function isFactReference(value: unknown): boolean {
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
  const index = list.findIndex(
    (keyword) => typeof keyword !== 'string' || normalizeText(keyword).trim() === '',
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
  if (isFactReference(value)) return undefined;
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  if (parts.some((decorator) => !operatorDecorators.has(decorator))) return `unknown operator "${operator}"`;
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
