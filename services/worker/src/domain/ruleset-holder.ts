import { EventEmitter } from 'node:events';
import {
  compileRuleset,
  formatRuleError,
  type CompileResult,
  type RuleError,
  type Ruleset,
} from '@triage/rules';

export interface RulesetStatus {
  version: string | null;
  loadedAt: Date | null;
  files: string[];
  /** Errors of the last rejected attempt; the last good ruleset keeps serving. */
  errors: RuleError[];
  rejectedAt: Date | null;
}

/** What the holder announces; tests and the watcher wait on these instead of sleeping. */
export interface RulesetHolderEvents {
  /** A ruleset became live (`changed` is false when its version equals the previous one). */
  applied: [ruleset: Ruleset, changed: boolean];
  /** A compile failed; the ruleset that was live stays live. */
  rejected: [errors: RuleError[]];
}

/** A rule file as an admin sends it: the parsed JSON, or its text. */
export type CandidateFile = string | Record<string, unknown> | unknown[];

/** The text a candidate file compiles from (objects are pretty-printed as the files are). */
export function candidateText(content: CandidateFile): string {
  return typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
}

/**
 * Compiles `sources` (file name → text) with `overlay` laid over them (file name → content).
 * An empty overlay compiles the sources as they are.
 */
export function compileWithOverlay(
  sources: ReadonlyMap<string, string>,
  overlay: Readonly<Record<string, CandidateFile>>,
): CompileResult {
  const files = new Map(sources);
  for (const [name, content] of Object.entries(overlay)) files.set(name, candidateText(content));
  return compileRuleset(files);
}

/**
 * Holds the live ruleset and the file texts it was compiled from. A failed compile never
 * replaces a good ruleset: it is remembered (and shown by GET /v1/rules) until the next
 * successful one.
 */
export class RulesetHolder extends EventEmitter<RulesetHolderEvents> {
  private current: Ruleset | undefined;
  private sources: ReadonlyMap<string, string> = new Map();
  private lastErrors: RuleError[] = [];
  private rejectedAt: Date | null = null;

  /**
   * Applies a compile result; returns true when it became the live ruleset. `sources` are
   * the file texts it came from, kept so candidates can be overlaid on them.
   */
  apply(result: CompileResult, sources: ReadonlyMap<string, string> = new Map()): boolean {
    if (!result.ok) {
      this.lastErrors = result.errors;
      this.rejectedAt = new Date();
      this.emit('rejected', result.errors);
      return false;
    }
    const changed = this.current?.version !== result.ruleset.version;
    this.current = result.ruleset;
    this.sources = new Map(sources);
    this.lastErrors = [];
    this.rejectedAt = null;
    this.emit('applied', result.ruleset, changed);
    return true;
  }

  /**
   * Reads the rule files again and applies them if they compile. A read failure (a missing
   * directory, say) is a rejection like any other: the live ruleset keeps serving.
   */
  async reload(read: () => Promise<ReadonlyMap<string, string>>): Promise<boolean> {
    let files: ReadonlyMap<string, string>;
    try {
      files = await read();
    } catch (error) {
      return this.apply({
        ok: false,
        errors: [
          { file: '.', path: '/', message: `cannot read the rules directory: ${(error as Error).message}` },
        ],
      });
    }
    return this.apply(compileRuleset(files), files);
  }

  get(): Ruleset {
    if (!this.current) {
      throw new Error(`No valid ruleset loaded: ${this.lastErrors.map(formatRuleError).join('; ')}`);
    }
    return this.current;
  }

  /** The file texts of the live ruleset (name relative to rules/ → text). */
  files(): ReadonlyMap<string, string> {
    return this.sources;
  }

  /**
   * Compiles the live files with `overlay` laid over them (file name → content), without
   * touching the live ruleset. An empty overlay compiles the live files as they are.
   */
  compileCandidate(overlay: Readonly<Record<string, CandidateFile>>): CompileResult {
    return compileWithOverlay(this.sources, overlay);
  }

  status(): RulesetStatus {
    return {
      version: this.current?.version ?? null,
      loadedAt: this.current?.loadedAt ?? null,
      files: this.current?.files ?? [],
      errors: this.lastErrors,
      rejectedAt: this.rejectedAt,
    };
  }
}
