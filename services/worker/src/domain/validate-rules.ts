import type { RuleToolOutcome } from './ports';
import { compileWithOverlay, type CandidateFile } from './ruleset-holder';

export interface ValidateRequest {
  /** The live rule files (name → text). */
  liveFiles: ReadonlyMap<string, string>;
  /** Candidate files laid over the live ones. */
  overlay: Readonly<Record<string, CandidateFile>>;
}

export interface ValidateReport {
  /** The version (content hash) the candidate would have. */
  version: string;
  files: string[];
}

/** Compiles the live rules with the candidate files over them; nothing changes. */
export function validateRules(request: ValidateRequest): RuleToolOutcome<ValidateReport> {
  const compiled = compileWithOverlay(request.liveFiles, request.overlay);
  if (!compiled.ok) return compiled;
  return { ok: true, report: { version: compiled.ruleset.version, files: compiled.ruleset.files } };
}
