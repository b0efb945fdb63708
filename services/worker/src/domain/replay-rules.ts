import {
  compileRuleset,
  evaluateComplaint,
  formatRuleError,
  type FactSources,
  type Ruleset,
  type TriageDecision,
} from '@triage/rules';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { factsOfRecord } from './complaint-facts';
import { memoizedFactSources } from './fact-sources';
import type { RuleToolOutcome } from './ports';
import { compileWithOverlay, type CandidateFile } from './ruleset-holder';

export const replayLimits = { defaultLimit: 200, maxLimit: 5000, defaultExamples: 20, maxExamples: 200 };

/** The parts of a decision a replay compares, and how they are counted. */
export const comparedFields = [
  'category',
  'severity',
  'queue',
  'slaPolicy',
  'calendar',
  'firstResponseDueAt',
  'resolutionDueAt',
  'priorityScore',
  'tags',
  'flags',
  'skills',
  'firedRules',
] as const;
export type ComparedField = (typeof comparedFields)[number];

/** Fields whose transitions ("medium → high": 12) are counted too. */
const transitionFields = ['category', 'severity', 'queue', 'slaPolicy'] as const;

export interface ReplayChange {
  from: unknown;
  to: unknown;
}

export interface ReplayExample {
  complaintId: string;
  receivedAt: Date;
  /** The subject, or the start of the body: enough to recognise the complaint. */
  excerpt: string;
  changes: Partial<Record<ComparedField, ReplayChange>>;
}

export interface ReplayReport {
  currentVersion: string;
  candidateVersion: string;
  compared: number;
  /** Complaints with at least one changed field, then per field. */
  changed: { any: number } & Record<ComparedField, number>;
  /** Per field, "from → to" with its count, most frequent first. */
  transitions: Record<(typeof transitionFields)[number], Record<string, number>>;
  examples: ReplayExample[];
  /**
   * Complaints whose stored decision differs (category, severity or queue) from what the
   * current rules decide now: decisions made by older rulesets, or history that changed since.
   */
  storedDecisionsDiffer: number;
  /** Complaints the candidate (or current) rules could not evaluate. */
  failures: Array<{ complaintId: string; message: string }>;
}

type Comparable = Record<ComparedField, unknown>;

function comparable(decision: TriageDecision): Comparable {
  const sorted = (values: readonly string[]) => [...values].sort();
  return {
    category: decision.category,
    severity: decision.severity,
    queue: decision.queue,
    slaPolicy: decision.slaPolicy,
    calendar: decision.calendar,
    firstResponseDueAt: new Date(decision.firstResponseDueAt).toISOString(),
    resolutionDueAt: new Date(decision.resolutionDueAt).toISOString(),
    priorityScore: decision.priority.score,
    tags: sorted(decision.tags),
    flags: sorted(decision.flags),
    skills: sorted(decision.skills),
    firedRules: decision.firedRules.map((rule) => `${rule.stage}/${rule.rule}`),
  };
}

/** The fields that differ between two decisions, with their before and after values. */
export function decisionChanges(
  before: TriageDecision,
  after: TriageDecision,
): Partial<Record<ComparedField, ReplayChange>> {
  const a = comparable(before);
  const b = comparable(after);
  const changes: Partial<Record<ComparedField, ReplayChange>> = {};
  for (const field of comparedFields) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field]))
      changes[field] = { from: a[field], to: b[field] };
  }
  return changes;
}

/** The subject, or the start of the body: enough to recognise a complaint in a report. */
export function excerptOf(complaint: Pick<ComplaintRecord, 'subject' | 'body'>): string {
  const text = (complaint.subject?.trim() || complaint.body).replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/**
 * Evaluates the current and the candidate ruleset over stored complaints and counts what
 * would change. Both sides of one complaint get the same inputs: the same "now" (the stored
 * decision's decidedAt, else receivedAt, so deadlines and ages do not drift with the day the
 * replay runs) and the same customer history (looked up once, as of that instant). So every
 * difference reported comes from the rules alone. Nothing is written.
 */
export async function replayRules(input: {
  current: Ruleset;
  candidate: Ruleset;
  complaints: readonly ComplaintRecord[];
  factSourcesAsOf: (at: Date) => FactSources;
  examples?: number;
  /** Complaints evaluated at once (each evaluation is independent). */
  concurrency?: number;
}): Promise<ReplayReport> {
  const maxExamples = input.examples ?? replayLimits.defaultExamples;
  const changed = Object.fromEntries([['any', 0], ...comparedFields.map((field) => [field, 0])]) as {
    any: number;
  } & Record<ComparedField, number>;
  const transitions = new Map(transitionFields.map((field) => [field, new Map<string, number>()]));
  const examples: ReplayExample[] = [];
  const failures: ReplayReport['failures'] = [];
  let storedDecisionsDiffer = 0;
  let compared = 0;

  type Outcome =
    | { complaint: ComplaintRecord; before: TriageDecision; after: TriageDecision }
    | { complaint: ComplaintRecord; error: Error };

  const evaluateBoth = async (complaint: ComplaintRecord): Promise<Outcome> => {
    const now = new Date(complaint.decision?.decidedAt ?? complaint.receivedAt);
    const sources = memoizedFactSources(input.factSourcesAsOf(now));
    const facts = factsOfRecord(complaint);
    try {
      const before = (await evaluateComplaint(input.current, facts, sources, now)).decision;
      const after = (await evaluateComplaint(input.candidate, facts, sources, now)).decision;
      return { complaint, before, after };
    } catch (error) {
      return { complaint, error: error as Error };
    }
  };

  const tally = (outcome: Outcome) => {
    const { complaint } = outcome;
    if ('error' in outcome) {
      failures.push({ complaintId: complaint._id, message: outcome.error.message });
      return;
    }
    const { before, after } = outcome;
    compared += 1;
    if (
      complaint.decision &&
      (complaint.decision.category !== before.category ||
        complaint.decision.severity !== before.severity ||
        complaint.decision.queue !== before.queue)
    ) {
      storedDecisionsDiffer += 1;
    }
    const changes = decisionChanges(before, after);
    const fields = Object.keys(changes) as ComparedField[];
    if (fields.length === 0) return;
    changed.any += 1;
    for (const field of fields) changed[field] += 1;
    for (const field of transitionFields) {
      const change = changes[field];
      if (!change) continue;
      const key = `${String(change.from)} → ${String(change.to)}`;
      const counts = transitions.get(field);
      counts?.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (examples.length < maxExamples) {
      examples.push({
        complaintId: complaint._id,
        receivedAt: complaint.receivedAt,
        excerpt: excerptOf(complaint),
        changes,
      });
    }
  };

  // A few complaints at a time (the history lookups hit the database), tallied in input
  // order so the report is the same on every run.
  const concurrency = Math.max(1, input.concurrency ?? 8);
  for (let start = 0; start < input.complaints.length; start += concurrency) {
    const outcomes = await Promise.all(input.complaints.slice(start, start + concurrency).map(evaluateBoth));
    outcomes.forEach(tally);
  }

  return {
    currentVersion: input.current.version,
    candidateVersion: input.candidate.version,
    compared,
    changed,
    transitions: Object.fromEntries(
      transitionFields.map((field) => [field, sortedCounts(transitions.get(field) ?? new Map())]),
    ) as ReplayReport['transitions'],
    examples,
    storedDecisionsDiffer,
    failures: failures.slice(0, 50),
  };
}

export interface ReplayRequest {
  /** The live rule files (name → text): the current side of the comparison. */
  liveFiles: ReadonlyMap<string, string>;
  /** Candidate files laid over the live ones; none (or empty) replays the live rules against themselves. */
  overlay?: Readonly<Record<string, CandidateFile>>;
  /** The stored complaints to replay, newest first. */
  complaints: readonly ComplaintRecord[];
  examples: number;
}

/**
 * The live ruleset and the candidate (the live files with the overlay over them; the live one when
 * there is no overlay), as every replay needs them. Live rules that do not compile are a fault of
 * ours (they were live), so they throw; a candidate that does not compile is the caller's answer.
 */
export function compileLiveAndCandidate(
  liveFiles: ReadonlyMap<string, string>,
  overlay: Readonly<Record<string, CandidateFile>> | undefined,
):
  | { ok: true; live: Ruleset; candidate: Ruleset }
  | Extract<ReturnType<typeof compileWithOverlay>, { ok: false }> {
  const live = compileRuleset(liveFiles);
  if (!live.ok)
    throw new Error(`the live rules do not compile: ${live.errors.map(formatRuleError).join('; ')}`);
  const changes = overlay ?? {};
  const candidate = Object.keys(changes).length > 0 ? compileWithOverlay(liveFiles, changes) : live;
  if (!candidate.ok) return candidate;
  return { ok: true, live: live.ruleset, candidate: candidate.ruleset };
}

/**
 * Compiles the live rules and the candidate (the live files with the overlay over them) and
 * replays the complaints through both ({@link replayRules}).
 */
export async function replayCandidate(
  request: ReplayRequest,
  factSourcesAsOf: (at: Date) => FactSources,
): Promise<RuleToolOutcome<ReplayReport>> {
  const compiled = compileLiveAndCandidate(request.liveFiles, request.overlay);
  if (!compiled.ok) return compiled;
  const report = await replayRules({
    current: compiled.live,
    candidate: compiled.candidate,
    complaints: request.complaints,
    factSourcesAsOf,
    examples: request.examples,
  });
  return { ok: true, report };
}
