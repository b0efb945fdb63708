import { evaluateQa, type FactSources, type QaEvaluation, type QaTicket, type Ruleset } from '@triage/rules';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { memoizedFactSources } from './fact-sources';
import { qaFactsOfRecord } from './qa-facts-of-record';
import { compileLiveAndCandidate, excerptOf } from './replay-rules';
import type { RuleToolOutcome } from './ports';
import type { CandidateFile } from './ruleset-holder';

/** A closed ticket to replay: its QA facts, enough text to recognise it, and the score stored at its close. */
export interface QaReplayTicket {
  ticket: QaTicket;
  excerpt: string;
  stored: { score: number | null; fatal: boolean; rulesetVersion: string } | null;
}

/** A stored closed ticket as a QA replay takes it: its facts as at close, and the auto score stored then. */
export function qaReplayTicketOf(complaint: ComplaintRecord): QaReplayTicket {
  const { qa } = complaint;
  return {
    ticket: qaFactsOfRecord(complaint),
    excerpt: excerptOf(complaint),
    stored: qa
      ? { score: qa.autoScore ?? qa.score, fatal: qa.fatal, rulesetVersion: qa.rulesetVersion }
      : null,
  };
}

export interface QaReplayRequest {
  liveFiles: ReadonlyMap<string, string>;
  overlay?: Readonly<Record<string, CandidateFile>>;
  tickets: readonly QaReplayTicket[];
  examples: number;
}

type Side = Pick<QaEvaluation, 'scorecard' | 'score' | 'fatal' | 'tags'> & {
  criteria: Record<string, string>;
};

export interface QaReplayExample {
  complaintId: string;
  excerpt: string;
  from: Side;
  to: Side;
  /** Criteria whose verdict changed: `"apology": "pass 10 → fail 0"`, `"csat": "not scored → pass 10"`. */
  criteria: Record<string, string>;
}

export interface QaReplayReport {
  currentVersion: string;
  candidateVersion: string;
  compared: number;
  changed: { any: number; score: number; fatal: number; scorecard: number; tags: number };
  /** Mean score of the tickets scored, on each side (null when none was). */
  meanScore: { current: number | null; candidate: number | null };
  /** "fatal → not fatal": 3, … */
  fatalTransitions: Record<string, number>;
  examples: QaReplayExample[];
  /** Tickets whose stored auto score differs from what the current rules give (scored by an older ruleset). */
  storedScoresDiffer: number;
  failures: Array<{ complaintId: string; message: string }>;
}

function side(qa: QaEvaluation): Side {
  return {
    scorecard: qa.scorecard,
    score: qa.score,
    fatal: qa.fatal,
    tags: qa.tags,
    criteria: Object.fromEntries(qa.criteria.map((c) => [c.criterion, `${c.result} ${c.points}`])),
  };
}

const mean = (values: number[]) =>
  values.length === 0 ? null : Math.round((10 * values.reduce((a, b) => a + b, 0)) / values.length) / 10;

/**
 * Scores stored closed tickets with the current and the candidate QA rules and reports what
 * would change. Both sides see the same facts and the same customer history; nothing is written.
 */
export async function replayQa(input: {
  current: Ruleset;
  candidate: Ruleset;
  tickets: readonly QaReplayTicket[];
  factSourcesAsOf: (at: Date) => FactSources;
  examples: number;
}): Promise<QaReplayReport> {
  const changed = { any: 0, score: 0, fatal: 0, scorecard: 0, tags: 0 };
  const fatalTransitions = new Map<string, number>();
  const examples: QaReplayExample[] = [];
  const failures: QaReplayReport['failures'] = [];
  const scores = { current: [] as number[], candidate: [] as number[] };
  let storedScoresDiffer = 0;
  let compared = 0;
  for (const { ticket, excerpt, stored } of input.tickets) {
    let before: QaEvaluation;
    let after: QaEvaluation;
    try {
      const sources = memoizedFactSources(input.factSourcesAsOf(ticket.receivedAt));
      before = await evaluateQa(input.current, ticket, sources);
      after = await evaluateQa(input.candidate, ticket, sources);
    } catch (error) {
      failures.push({ complaintId: ticket.complaintId, message: (error as Error).message });
      continue;
    }
    compared += 1;
    if (before.score !== null) scores.current.push(before.score);
    if (after.score !== null) scores.candidate.push(after.score);
    if (stored && stored.score !== before.score) storedScoresDiffer += 1;
    const from = side(before);
    const to = side(after);
    const criteria: Record<string, string> = {};
    for (const id of new Set([...Object.keys(from.criteria), ...Object.keys(to.criteria)])) {
      const a = from.criteria[id] ?? 'not scored';
      const b = to.criteria[id] ?? 'not scored';
      if (a !== b) criteria[id] = `${a} → ${b}`;
    }
    const differs = {
      score: from.score !== to.score,
      fatal: from.fatal !== to.fatal,
      scorecard: from.scorecard !== to.scorecard,
      tags: JSON.stringify(from.tags) !== JSON.stringify(to.tags),
    };
    if (!Object.values(differs).some(Boolean) && Object.keys(criteria).length === 0) continue;
    changed.any += 1;
    for (const key of Object.keys(differs) as Array<keyof typeof differs>)
      if (differs[key]) changed[key] += 1;
    if (differs.fatal) {
      const key = `${from.fatal ? 'fatal' : 'not fatal'} → ${to.fatal ? 'fatal' : 'not fatal'}`;
      fatalTransitions.set(key, (fatalTransitions.get(key) ?? 0) + 1);
    }
    if (examples.length < input.examples)
      examples.push({ complaintId: ticket.complaintId, excerpt, from, to, criteria });
  }
  return {
    currentVersion: input.current.version,
    candidateVersion: input.candidate.version,
    compared,
    changed,
    meanScore: { current: mean(scores.current), candidate: mean(scores.candidate) },
    fatalTransitions: Object.fromEntries(fatalTransitions),
    examples,
    storedScoresDiffer,
    failures: failures.slice(0, 50),
  };
}

/** Compiles the live rules and the candidate and replays the tickets through both ({@link replayQa}). */
export async function replayQaCandidate(
  request: QaReplayRequest,
  factSourcesAsOf: (at: Date) => FactSources,
): Promise<RuleToolOutcome<QaReplayReport>> {
  const compiled = compileLiveAndCandidate(request.liveFiles, request.overlay);
  if (!compiled.ok) return compiled;
  const report = await replayQa({
    current: compiled.live,
    candidate: compiled.candidate,
    tickets: request.tickets,
    factSourcesAsOf,
    examples: request.examples,
  });
  return { ok: true, report };
}
