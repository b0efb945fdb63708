/**
 * One Aho–Corasick automaton over every `containsAny` / `containsAll` keyword of a ruleset, so
 * a complaint's text is scanned once per evaluation however many keyword rules there are, and a
 * keyword condition becomes a set lookup.
 *
 * It reproduces {@link compileKeywordMatcher} exactly (a unit test compares the two on random
 * input): text and keywords are compared after {@link nfkcLowerCase} (NFKC, lower case); a
 * keyword's whitespace matches any whitespace run; at an edge where the keyword starts or ends
 * with an ASCII letter or digit the neighbouring text character must not be one (`[a-z0-9]`
 * after lower-casing); a blank keyword never matches. Whitespace runs in the text are collapsed
 * to one space before the scan, and a keyword's tokens are joined by one space, so "a\s+b"
 * becomes the plain substring "a b" (tokens never contain whitespace, so nothing else changes).
 */
import { nfkcLowerCase } from './operators/keyword-matcher';

// The same whitespace class the operator's regular expressions use (`\s`, u flag).
const whitespaceRun = /\s+/u;
const whitespaceRuns = /\s+/gu;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `[a-z0-9]`: the characters a guarded keyword edge must not touch (text is lower-cased). */
function isWordCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a);
}

function isAsciiAlphanumeric(code: number): boolean {
  return isWordCode(code) || (code >= 0x41 && code <= 0x5a);
}

/** How a keyword enters the index. */
export type KeywordEntry =
  | { kind: 'pattern'; id: number }
  /** Blank after normalisation: never matches (and makes `containsAll` false). */
  | { kind: 'blank' }
  /**
   * Contains a lone surrogate, where code-unit scanning and the operator's `u`-flag regular
   * expression could disagree: such a condition keeps using the operator itself.
   */
  | { kind: 'unindexable' };

/** The keywords found in one text, by pattern id. */
export type KeywordHits = ReadonlySet<number>;

const noHits: KeywordHits = new Set<number>();

/** The fields of a state in {@link KeywordIndex}'s `states` table. */
const stateFields = 4;
const edgesFrom = 0;
const edgesTo = 1;
const failure = 2;
const firstHit = 3;
/** Up to this many edges a state's transitions are searched linearly. */
const linearEdges = 8;

interface Pattern {
  length: number;
  guardStart: boolean;
  guardEnd: boolean;
}

/** Collects keywords, then {@link KeywordIndexBuilder.build}s the automaton. */
export class KeywordIndexBuilder {
  private readonly ids = new Map<string, number>();
  private readonly patterns: { text: string; pattern: Pattern }[] = [];

  /** Registers a keyword (as written in a rule) and says how conditions should look it up. */
  add(keyword: string): KeywordEntry {
    const tokens = nfkcLowerCase(keyword)
      .split(whitespaceRun)
      .filter((token) => token.length > 0);
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    if (first === undefined || last === undefined) return { kind: 'blank' };
    const text = tokens.join(' ');
    if (loneSurrogate.test(text)) return { kind: 'unindexable' };
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.patterns.length;
      this.ids.set(text, id);
      this.patterns.push({
        text,
        pattern: {
          length: text.length,
          guardStart: isAsciiAlphanumeric(first.charCodeAt(0)),
          guardEnd: isAsciiAlphanumeric(last.charCodeAt(last.length - 1)),
        },
      });
    }
    return { kind: 'pattern', id };
  }

  /** The length of a pattern (its normalised text), to prefer long, rare keywords as triggers. */
  lengthOf(id: number): number {
    return this.patterns[id]?.pattern.length ?? 0;
  }

  build(): KeywordIndex {
    return new KeywordIndex(this.patterns);
  }
}

/**
 * The automaton. Immutable after construction; {@link KeywordIndex.scan} keeps its state in
 * local variables, so concurrent evaluations can share one index.
 */
export class KeywordIndex {
  readonly patternCount: number;
  /** Transitions out of the root for every UTF-16 code unit (0 = stay at the root). */
  private readonly rootNext: Int32Array;
  /**
   * The other states, four numbers each, read together for every character of a scan: where
   * the state's edges start and end in {@link edges}, its failure state, and the first state
   * along its failure chain (itself included) where a pattern ends, or -1.
   */
  private readonly states: Int32Array;
  /**
   * Transitions out of the non-root states, flat, as (code unit, target) pairs sorted by code
   * unit. Most states have a few edges; one typed array for the states and one for the edges
   * keep a scan of a large automaton (tens of thousands of states) to few cache lines per
   * character.
   */
  private readonly edges: Int32Array;
  /** The pattern ending at a state, or -1. */
  private readonly output: Int32Array;
  /** The nearest state along the failure chain (excluding itself) with an output, or -1. */
  private readonly outputLink: Int32Array;
  private readonly patterns: Pattern[];

  constructor(patterns: readonly { text: string; pattern: Pattern }[]) {
    this.patternCount = patterns.length;
    this.patterns = patterns.map((entry) => entry.pattern);
    const next: Map<number, number>[] = [new Map()];
    const outputs: number[] = [-1];
    patterns.forEach(({ text }, id) => {
      let state = 0;
      for (let i = 0; i < text.length; i += 1) {
        const code = text.charCodeAt(i);
        const transitions = next[state] as Map<number, number>;
        let target = transitions.get(code);
        if (target === undefined) {
          target = next.length;
          next.push(new Map());
          outputs.push(-1);
          transitions.set(code, target);
        }
        state = target;
      }
      outputs[state] = id;
    });
    const count = next.length;
    this.states = new Int32Array(count * stateFields);
    let edgeCount = 0;
    for (let state = 1; state < count; state += 1) edgeCount += (next[state] as Map<number, number>).size;
    this.edges = new Int32Array(edgeCount * 2);
    let edge = 0;
    for (let state = 1; state < count; state += 1) {
      this.states[state * stateFields + edgesFrom] = edge;
      for (const [code, target] of [...(next[state] as Map<number, number>)].sort((a, b) => a[0] - b[0])) {
        this.edges[edge] = code;
        this.edges[edge + 1] = target;
        edge += 2;
      }
      this.states[state * stateFields + edgesTo] = edge;
    }
    this.output = Int32Array.from(outputs);
    this.outputLink = new Int32Array(count).fill(-1);
    this.rootNext = new Int32Array(0x10000);
    const { states, output, outputLink } = this;
    const queue: number[] = [];
    for (const [code, child] of next[0] as Map<number, number>) {
      this.rootNext[code] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head += 1) {
      const state = queue[head] as number;
      for (const [code, child] of next[state] as Map<number, number>) {
        let fallback = states[state * stateFields + failure] as number;
        let target = this.step(fallback, code);
        while (target === undefined && fallback !== 0) {
          fallback = states[fallback * stateFields + failure] as number;
          target = this.step(fallback, code);
        }
        const failTo = target ?? 0;
        states[child * stateFields + failure] = failTo;
        outputLink[child] = (output[failTo] as number) >= 0 ? failTo : (outputLink[failTo] as number);
        queue.push(child);
      }
    }
    for (let state = 1; state < count; state += 1) {
      states[state * stateFields + firstHit] =
        (output[state] as number) >= 0 ? state : (outputLink[state] as number);
    }
  }

  private step(state: number, code: number): number | undefined {
    const target =
      state === 0 ? (this.rootNext[code] as number) : transition(this.states, this.edges, state, code);
    return target <= 0 ? undefined : target;
  }

  /** The text a scan runs over: normalised like the operator's, whitespace runs collapsed. */
  static prepare(text: string): string {
    return nfkcLowerCase(text).replace(whitespaceRuns, ' ');
  }

  /** Every indexed keyword occurring in `text` (raw, un-normalised text). */
  scan(text: string): KeywordHits {
    if (this.patternCount === 0) return noHits;
    const found = new Set<number>();
    this.collect(KeywordIndex.prepare(text), -1, found, found, found);
    return found.size === 0 ? noHits : found;
  }

  /**
   * The keywords of a text made of two parts joined by a line break (the `text` fact: subject
   * and body), and those of each part, from one scan of the whole: what {@link scan} gives for
   * each of the three. A keyword within one part is that part's (its edges see the same
   * characters: a part's end and the joining space are both non-word); one across the join is
   * the whole's only. Undefined when the prepared whole is not the prepared parts joined by one
   * space (it always is for subject + "\n" + body: no normalisation step reaches across a line
   * break), so that the caller scans each itself.
   */
  scanJoined(
    whole: string,
    first: string,
    second: string,
  ): { whole: KeywordHits; first: KeywordHits; second: KeywordHits } | undefined {
    if (this.patternCount === 0) return { whole: noHits, first: noHits, second: noHits };
    const prepared = KeywordIndex.prepare(whole);
    let head = KeywordIndex.prepare(first);
    if (head.endsWith(' ')) head = head.slice(0, -1);
    let tail = KeywordIndex.prepare(second);
    if (tail.startsWith(' ')) tail = tail.slice(1);
    if (prepared.length !== head.length + 1 + tail.length || prepared !== `${head} ${tail}`) return undefined;
    const hits = { whole: new Set<number>(), first: new Set<number>(), second: new Set<number>() };
    this.collect(prepared, head.length, hits.whole, hits.first, hits.second);
    return hits;
  }

  /**
   * Adds the keywords found in a prepared text to `all`, and, given the index of a joining
   * space (`join` ≥ 0), those ending before it to `before` and those starting after it to
   * `after`.
   */
  private collect(
    prepared: string,
    join: number,
    all: Set<number>,
    before: Set<number>,
    after: Set<number>,
  ): void {
    const length = prepared.length;
    const { rootNext, states, edges, output, outputLink, patterns } = this;
    let state = 0;
    for (let i = 0; i < length; i += 1) {
      const code = prepared.charCodeAt(i);
      if (state === 0) {
        state = rootNext[code] as number;
        if (state === 0) continue;
      } else {
        let target = transition(states, edges, state, code);
        while (target < 0) {
          state = states[state * stateFields + failure] as number;
          if (state === 0) {
            target = rootNext[code] as number;
            break;
          }
          target = transition(states, edges, state, code);
        }
        state = target;
        if (state === 0) continue;
      }
      let hit = states[state * stateFields + firstHit] as number;
      while (hit >= 0) {
        const id = output[hit] as number;
        // Without a join every set is `all`: a keyword found once needs no second look.
        if (join >= 0 || !all.has(id)) {
          const pattern = patterns[id] as Pattern;
          const start = i - pattern.length + 1;
          if (
            !(pattern.guardStart && start > 0 && isWordCode(prepared.charCodeAt(start - 1))) &&
            !(pattern.guardEnd && i + 1 < length && isWordCode(prepared.charCodeAt(i + 1)))
          ) {
            all.add(id);
            if (join >= 0) {
              if (i < join) before.add(id);
              else if (start > join) after.add(id);
            }
          }
        }
        hit = outputLink[hit] as number;
      }
    }
  }
}

/** The transition of a non-root state of a {@link KeywordIndex} on a code unit, or -1. */
function transition(states: Int32Array, edges: Int32Array, state: number, code: number): number {
  const from = states[state * stateFields + edgesFrom] as number;
  const to = states[state * stateFields + edgesTo] as number;
  if (to - from <= linearEdges * 2) {
    // Few edges (most states): a walk over the sorted codes beats a binary search.
    for (let at = from; at < to; at += 2) {
      const edgeCode = edges[at] as number;
      if (edgeCode === code) return edges[at + 1] as number;
      if (edgeCode > code) return -1;
    }
    return -1;
  }
  let low = from >> 1;
  let high = (to >> 1) - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = edges[middle * 2] as number;
    if (at === code) return edges[middle * 2 + 1] as number;
    if (at < code) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
