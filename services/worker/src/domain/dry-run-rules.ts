import { randomUUID } from 'node:crypto';
import { evaluateComplaint, type TriageDecision } from '@triage/rules';
import type { ComplaintInput } from '@triage/shared/complaint';
import { factsOfInput } from './complaint-facts';
import { explainTrace, skippedRuleNames } from './explain-trace';
import { simulatedFactSources, type SimulatedHistory } from './fact-sources';
import type { RuleToolOutcome } from './ports';
import { compileWithOverlay, type CandidateFile } from './ruleset-holder';
import { simulateBlocklistRules, type SimulatedBlocklisting } from './simulate-blocklist-rules';

export interface DryRunRequest {
  /** The live rule files (name → text). */
  liveFiles: ReadonlyMap<string, string>;
  /** Candidate files laid over the live ones; none (or empty) evaluates the live rules. */
  overlay?: Readonly<Record<string, CandidateFile>>;
  complaint: ComplaintInput;
  history?: SimulatedHistory;
  /** When the complaint arrives (and "now" for the evaluation), ISO 8601; the current time by default. */
  receivedAt?: string;
}

export interface DryRunReport {
  rulesetVersion: string;
  candidate: boolean;
  decision: TriageDecision;
  trace: ReturnType<typeof explainTrace>;
  skippedRules: string[];
  relatedComplaintIds: string[];
  /**
   * What rules/blocklist.json would do after the decision, over `history.triaged` and this
   * complaint: the blocklist rules that fire, their trace, and the listing the first one makes.
   */
  blocklist: SimulatedBlocklisting;
}

/**
 * Compiles the live rules (with the candidate files over them) and evaluates one complaint
 * against a simulated customer history. Nothing is stored.
 */
export async function dryRunRules(request: DryRunRequest): Promise<RuleToolOutcome<DryRunReport>> {
  const overlay = request.overlay ?? {};
  const compiled = compileWithOverlay(request.liveFiles, overlay);
  if (!compiled.ok) return compiled;
  const { ruleset } = compiled;
  const receivedAt = request.receivedAt ? new Date(request.receivedAt) : new Date();
  const facts = factsOfInput(request.complaint, {
    id: `dry-run-${randomUUID()}`,
    receivedAt,
    defaultSource: 'dry-run',
  });
  const evaluation = await evaluateComplaint(
    ruleset,
    facts,
    simulatedFactSources(request.history, receivedAt),
    receivedAt,
  );
  const blocklist = await simulateBlocklistRules(ruleset, facts, evaluation.decision, request.history);
  return {
    ok: true,
    report: {
      rulesetVersion: ruleset.version,
      candidate: Object.keys(overlay).length > 0,
      decision: evaluation.decision,
      trace: explainTrace(evaluation.trace),
      skippedRules: skippedRuleNames(ruleset, evaluation.trace),
      relatedComplaintIds: evaluation.relatedComplaintIds,
      blocklist,
    },
  };
}
