/**
 * The state of one evaluation of a compiled ruleset ({@link CompiledRun}): the facts, computed
 * fact values and lookups in flight, keyword scans and counts, and the scratch counters it
 * takes from (and gives back to) the compiled ruleset's pool.
 */
import { JSONPath } from 'jsonpath-plus';
import type { StageName } from '../ruleset-schemas';
import type { FiredRule, RuleTrace } from '../triage-decision';
import { pending, type RuleState } from './condition-steps';
import { isThenable } from './json-values';
import type { CompiledRuleset } from './stage-compiler';
import { runStage } from './stage-run';
import type { ComputedRead } from './triggers';

/** A computed fact: called with the condition's params, like a json-rules-engine dynamic fact. */
export type ComputedFact = (params: Record<string, unknown>) => unknown;

/** What one stage produced: its fired rules, in the order json-rules-engine reports results. */
export interface CompiledStageOutcome {
  fired: FiredRule[];
}

/**
 * The state of one evaluation: the current stage's facts (the caller updates category,
 * severity, tags and flags between stages), the computed facts, and what was computed,
 * looked up or scanned so far. Never shared between evaluations.
 */
export class CompiledRun {
  /** Values of computed facts by fact and params; asynchronous ones once they have settled. */
  private readonly computedValues = new Map<string, unknown>();
  /** Lookups started and not yet settled, by the same key. */
  private readonly lookups = new Map<string, Promise<void>>();
  /** @internal Counts the values computed and lookups started so far. */
  computedEpoch = 0;
  private readonly scans = new Map<string, readonly number[]>();
  /** Whether {@link scanJoined} has run. */
  private joinedScanned = false;
  private readonly paths = new Map<object, Map<string, unknown>>();
  /** Per keyword condition, how many of its keywords its fact's value holds (see keywordCount()). */
  private readonly counts: Uint16Array;
  /** The buffer of `marks` and `counts` when it goes back to the pool at the end (see finish()). */
  private scratch: Scratch | undefined;
  /** The value each fact's keyword conditions were counted for. */
  private readonly countedTexts = new Map<string, string>();
  /** @internal Candidate marks, one per rule of the largest stage; cleared after each use. */
  readonly marks: Uint16Array;
  /**
   * The trace entries of the rules evaluated so far, stage after stage, in the engine's order
   * (the index skipped the others: they cannot fire).
   */
  readonly trace: RuleTrace[] = [];
  /** @internal The trace objects of the rule being evaluated (see {@link RuleState}). */
  readonly ruleState: RuleState;

  constructor(
    private readonly compiled: CompiledRuleset,
    readonly facts: Record<string, unknown>,
    private readonly computed: ReadonlyMap<string, ComputedFact>,
    /** The evaluation's now (epoch ms): what `withinHours` and `olderThanHours` compare with. */
    readonly now: number,
  ) {
    // One buffer for both (an ArrayBuffer costs more to allocate than its size suggests); a
    // large one is taken from the ruleset's pool (see finish()).
    const size = compiled.largestStage + compiled.keywordLeaves;
    const pooled = size > pooledScratchSize;
    const scratch =
      (pooled ? compiled.scratchPool.pop() : undefined) ?? newScratch(compiled.largestStage, size);
    this.scratch = pooled ? scratch : undefined;
    this.marks = scratch.marks;
    this.counts = scratch.counts;
    this.ruleState = new Array<Record<string, unknown> | undefined>(compiled.largestRule);
  }

  /**
   * Ends the evaluation: its scratch buffer, zeroed, goes back to the ruleset's pool for the
   * next one (an evaluation that fails before never returns it; the garbage collector does).
   * The run must not be used afterwards.
   */
  finish(): void {
    const { scratch } = this;
    if (scratch === undefined) return;
    this.scratch = undefined;
    scratch.buffer.fill(0);
    if (this.compiled.scratchPool.length < maxPooledScratch) this.compiled.scratchPool.push(scratch);
  }

  /** Runs one stage; synchronous unless a rule needs an asynchronous fact not yet looked up. */
  runStage(stage: StageName): CompiledStageOutcome | Promise<CompiledStageOutcome> {
    return runStage(this.compiled.stages[stage], stage, this);
  }

  /** @internal A computed fact's value for a params key, or {@link pending} while looked up. */
  computedValue(factId: string, params: Record<string, unknown>, key: string): unknown {
    if (this.computedValues.has(key)) return this.computedValues.get(key);
    if (this.lookups.has(key)) return pending;
    const compute = this.computed.get(factId);
    const value = compute === undefined ? undefined : compute(params);
    this.computedEpoch += 1;
    if (isThenable(value)) {
      const lookup = Promise.resolve(value).then((settled) => {
        this.computedValues.set(key, settled);
        this.lookups.delete(key);
      });
      // A failure reaches the evaluation through settleLookups(); an evaluation that failed
      // for another reason first must not leave it unhandled.
      lookup.catch(() => undefined);
      this.lookups.set(key, lookup);
      return pending;
    }
    this.computedValues.set(key, value);
    return value;
  }

  /** @internal Whether a computed fact of that name exists. */
  hasComputed(factId: string): boolean {
    return this.computed.has(factId);
  }

  /**
   * @internal Whether every one of these reads has a value or a lookup in flight (or reads a
   * fact nobody computes), so that reading them again has no effect.
   */
  knowsAll(reads: readonly ComputedRead[]): boolean {
    for (let i = 0; i < reads.length; i += 1) {
      const { fact, key } = reads[i] as ComputedRead;
      if (!this.computedValues.has(key) && !this.lookups.has(key) && this.computed.has(fact)) return false;
    }
    return true;
  }

  /** @internal Whether lookups are in flight. */
  hasLookups(): boolean {
    return this.lookups.size > 0;
  }

  /** @internal Waits for every lookup started so far (rejects as the first failing one). */
  async settleLookups(): Promise<void> {
    await Promise.all(this.lookups.values());
  }

  /**
   * @internal jsonpath-plus, as json-rules-engine's default path resolver calls it; facts do
   * not change during an evaluation, so each (object, path) is resolved once.
   */
  resolvePath(value: object, path: string): unknown {
    // "$.name": what jsonpath-plus returns for it, without parsing and walking.
    if (simplePath.test(path)) {
      const name = path.slice(2);
      return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    }
    let byPath = this.paths.get(value);
    if (byPath === undefined) {
      byPath = new Map();
      this.paths.set(value, byPath);
    }
    if (byPath.has(path)) return byPath.get(path);
    // JSONPath({ path, json, wrap: false }) returns a scalar by throwing it inside an Error;
    // the same evaluation without autostart returns it directly.
    const resolved: unknown = JSONPath({ path, json: value, wrap: false, autostart: false }).evaluate(
      path,
      value,
      undefined,
      undefined,
    );
    byPath.set(path, resolved);
    return resolved;
  }

  /**
   * @internal How many of a keyword condition's keywords occur in `text` (the value of `fact`,
   * which the condition reads). Counted for every keyword condition on the fact from one scan,
   * and again only if the fact's value changes.
   */
  keywordCount(fact: string, text: string, leaf: number): number {
    const { counts } = this;
    const counted = this.countedTexts.get(fact);
    if (counted !== text) {
      const byPattern = this.compiled.patternLeaves.get(fact);
      if (byPattern !== undefined) {
        // Each keyword condition reads one fact: a new value recounts that fact's conditions.
        if (counted !== undefined)
          for (const leaves of byPattern.values()) for (const hit of leaves) counts[hit] = 0;
        const hits = this.scan(text);
        for (let h = 0; h < hits.length; h += 1) {
          const leaves = byPattern.get(hits[h] as number);
          if (leaves !== undefined) {
            for (let i = 0; i < leaves.length; i += 1) {
              const hit = leaves[i] as number;
              counts[hit] = (counts[hit] as number) + 1;
            }
          }
        }
      }
      this.countedTexts.set(fact, text);
    }
    return counts[leaf] as number;
  }

  /** @internal The keywords found in a text, by pattern id (each text is scanned once per evaluation). */
  scan(text: string): readonly number[] {
    let hits = this.scans.get(text);
    if (hits === undefined && this.compiled.scansJoined && this.scanJoined()) hits = this.scans.get(text);
    if (hits === undefined) {
      hits = [...this.compiled.keywords.scan(text)];
      this.scans.set(text, hits);
    }
    return hits;
  }

  /**
   * Scans the `text` fact once for its own keywords and those of `subject` and `body`, which it
   * joins (rather than the same characters twice); once per evaluation, false when it cannot.
   */
  private scanJoined(): boolean {
    if (this.joinedScanned) return false;
    this.joinedScanned = true;
    const { text, subject, body } = this.facts;
    // Without a subject the text is the body: nothing to share.
    if (typeof text !== 'string' || typeof subject !== 'string' || typeof body !== 'string' || subject === '')
      return false;
    const hits = this.compiled.keywords.scanJoined(text, subject, body);
    if (hits === undefined) return false;
    this.scans.set(subject, [...hits.first]);
    this.scans.set(body, [...hits.second]);
    this.scans.set(text, [...hits.whole]);
    return true;
  }
}

/** A run's per-evaluation counters: trigger marks and keyword counts, views of one buffer. */
export interface Scratch {
  buffer: Uint16Array;
  marks: Uint16Array;
  counts: Uint16Array;
}

function newScratch(marks: number, size: number): Scratch {
  const buffer = new Uint16Array(size);
  return { buffer, marks: buffer.subarray(0, marks), counts: buffer.subarray(marks) };
}

/**
 * Scratch buffers up to this many counters (64 bytes) are allocated with the run: V8 keeps
 * typed arrays that small on its heap, where they cost next to nothing. Larger ones (a
 * 1,000-rule ruleset's take ~3 KB outside the heap, whose allocation and release cost more
 * than their size suggests) are reused through the ruleset's pool.
 */
const pooledScratchSize = 32;

/** How many unused scratch buffers a ruleset keeps (as many as evaluations ran at once, up to this). */
const maxPooledScratch = 16;

/**
 * A path to one named property: jsonpath-plus resolves it (with `wrap: false`) to the
 * object's own property of that name, or undefined when there is none.
 */
const simplePath = /^\$\.[A-Za-z_][A-Za-z0-9_]*$/;
