import { formatRuleError, type CompileResult, type RuleError, type Ruleset } from '@triage/shared';

export interface RulesetStatus {
  version: string | null;
  loadedAt: Date | null;
  files: string[];
  /** Errors of the last rejected attempt; the last good ruleset keeps serving. */
  errors: RuleError[];
  rejectedAt: Date | null;
}

/** Holds the live ruleset; a failed compile never replaces a good one. */
export class RulesetHolder {
  private current: Ruleset | undefined;
  private lastErrors: RuleError[] = [];
  private rejectedAt: Date | null = null;

  /** Applies a compile result; returns true when it became the live ruleset. */
  apply(result: CompileResult): boolean {
    if (!result.ok) {
      this.lastErrors = result.errors;
      this.rejectedAt = new Date();
      return false;
    }
    this.current = result.ruleset;
    this.lastErrors = [];
    this.rejectedAt = null;
    return true;
  }

  get(): Ruleset {
    if (!this.current) {
      throw new Error(`No valid ruleset loaded: ${this.lastErrors.map(formatRuleError).join('; ')}`);
    }
    return this.current;
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
