/**
 * The ReDoS checker behind `matchesRegex` ({@link checkRegexSafety}): a pattern is accepted
 * only when a backtracking engine cannot take super-linear time on it (no nested or competing
 * quantifiers, no ambiguous alternation inside a repeat).
 */
import { type CharSet, emptySet, intersects, type RegexFlags, union } from './regex-char-sets';
import { PatternParser, type RegexNode, UnsafePattern } from './regex-pattern-parser';
import { rulesetLimits } from '../ruleset-limits';

/** Longest pattern `matchesRegex` accepts, in UTF-16 code units ({@link rulesetLimits}.maxRegexLength). */
export const maxRegexPatternLength = rulesetLimits.maxRegexLength;

const allowedRegexFlags = new Set(['i', 'm', 's', 'u']);

const maxExpandedAlternatives = 64;

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
export function analysePattern(pattern: string, flags: string): { source: string } | string {
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
