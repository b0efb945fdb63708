import {
  evaluateQa,
  noHistoryFactSources,
  type FactSources,
  type QaEvaluation,
  type QaTicket,
} from '@triage/rules';
import { explainTrace } from './explain-trace';
import { simulatedFactSources, type SimulatedHistory } from './fact-sources';
import type { RuleToolOutcome } from './ports';
import { compileWithOverlay, type CandidateFile } from './ruleset-holder';

export interface QaDryRunRequest {
  /** The live rule files (name → text). */
  liveFiles: ReadonlyMap<string, string>;
  /** Candidate files laid over the live ones (qa.json, qa-scorecards.json, …). */
  overlay?: Readonly<Record<string, CandidateFile>>;
  /** The ticket to score: from a stored complaint, or facts the admin pretends. */
  ticket: QaTicket;
  /** A customer history to pretend (repeatCount); without it a stored ticket's own history is asked. */
  history?: SimulatedHistory;
}

export interface QaDryRunReport {
  rulesetVersion: string;
  candidate: boolean;
  complaintId: string;
  facts: QaTicket['facts'];
  qa: QaEvaluation;
}

/**
 * Scores one closed ticket with the live (or candidate) QA rules and scorecards, with the
 * condition trace that explains each score. Nothing is stored.
 */
export async function dryRunQa(
  request: QaDryRunRequest,
  factSourcesAsOf?: (at: Date) => FactSources,
): Promise<RuleToolOutcome<QaDryRunReport>> {
  const overlay = request.overlay ?? {};
  const compiled = compileWithOverlay(request.liveFiles, overlay);
  if (!compiled.ok) return compiled;
  const { ticket } = request;
  const sources =
    request.history !== undefined
      ? simulatedFactSources(request.history, ticket.receivedAt)
      : (factSourcesAsOf?.(ticket.receivedAt) ?? noHistoryFactSources);
  const qa = await evaluateQa(compiled.ruleset, ticket, sources);
  return {
    ok: true,
    report: {
      rulesetVersion: compiled.ruleset.version,
      candidate: Object.keys(overlay).length > 0,
      complaintId: ticket.complaintId,
      facts: ticket.facts,
      qa: { ...qa, trace: explainTrace(qa.trace) },
    },
  };
}
