/**
 * What the worker's use cases need from the outside world; data-access/ implements each one
 * (TriageRepository, BullRouteQueue, BlocklistRepository).
 */
import type { Evaluation, FactSources, RuleError, TriagedHistoryEntry } from '@triage/rules';
import type { ComplaintEvent, ComplaintQa, ComplaintRecord } from '@triage/shared/complaint';
import type { BlocklistEntry } from './blocklist';
import type { DryRunReport, DryRunRequest } from './dry-run-rules';
import type { QaDryRunReport, QaDryRunRequest } from './dry-run-qa';
import type { QaReplayReport, QaReplayRequest } from './replay-qa';
import type { ReplayReport, ReplayRequest } from './replay-rules';
import type { ValidateReport, ValidateRequest } from './validate-rules';

/** What the triage use case needs from storage and the next queue. */
export interface TriageStore {
  load(id: string): Promise<ComplaintRecord | null>;
  /** Stores the decision if the complaint is still waiting for one; false when someone else already did. */
  saveDecision(id: string, evaluation: Evaluation, requestId: string | undefined): Promise<boolean>;
}

/** What auto-QA needs from storage. */
export interface QaStore {
  load(id: string): Promise<ComplaintRecord | null>;
  /**
   * Stores the QA result of a close, with a `qa.auto-scored` event, if the ticket is still closed
   * and that close is not scored yet; false otherwise.
   */
  saveQa(id: string, qa: ComplaintQa, requestId: string | undefined): Promise<boolean>;
}

export interface RouteQueue {
  enqueue(complaintId: string, requestId: string | undefined): Promise<void>;
}

/** Where a replay reads from. Read-only: a replay never writes a decision. */
export interface ReplayStore {
  /** One stored complaint, whole (QA dry-runs score it). */
  load(id: string): Promise<ComplaintRecord | null>;
  /** The newest stored complaints, newest first (decision included, trace and events left out). */
  latestComplaints(limit: number): Promise<ComplaintRecord[]>;
  /** The most recently closed tickets, newest first (QA result included, QA trace left out). */
  latestClosed(limit: number): Promise<ComplaintRecord[]>;
  /** Customer history as it stood at `at` (for repeatCount, openComplaints, blocklisted). */
  factSourcesAsOf(at: Date): FactSources;
}

/** What a rule tool answers: its report, or the candidate's rule errors (nothing evaluated). */
export type RuleToolOutcome<Report> = { ok: true; report: Report } | { ok: false; errors: RuleError[] };

/**
 * Runs the admin's rule tools (validate, dry-run, replay) where a costly candidate cannot stall the
 * process: off the event loop, within a time budget. Rejects with a 422 AppError when the
 * budget runs out and a 503 one when every slot is busy.
 */
export interface RuleToolRunner {
  validate(request: ValidateRequest): Promise<RuleToolOutcome<ValidateReport>>;
  dryRun(request: DryRunRequest): Promise<RuleToolOutcome<DryRunReport>>;
  /** `factSourcesAsOf` is asked on the caller's side (the database lives there). */
  replay(
    request: ReplayRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<ReplayReport>>;
  /** Scores one ticket with the QA stage; `factSourcesAsOf` answers repeatCount for a stored one. */
  qaDryRun(
    request: QaDryRunRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<QaDryRunReport>>;
  qaReplay(
    request: QaReplayRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<QaReplayReport>>;
}

export interface BlocklistStore {
  /** Blocks (or re-blocks, replacing until and reason) and appends to the history in one update. */
  block(change: {
    customerId: string;
    until: Date;
    reason: string;
    by: string;
    at: Date;
  }): Promise<{ entry: BlocklistEntry; created: boolean }>;
  /** Marks the entry removed if it is not already; null when there is no such entry. */
  unblock(change: {
    customerId: string;
    by: string;
    at: Date;
    reason?: string;
  }): Promise<BlocklistEntry | null>;
  find(customerId: string): Promise<BlocklistEntry | null>;
  /** Entries in force at `at`, or every entry ever made with `includeInactive`. */
  list(options: { at: Date; includeInactive: boolean }): Promise<BlocklistEntry[]>;
}

/** A rule listing to record: who owns it, who must confirm it and by when (rule-listing.ts). */
export interface RuleListingRequest {
  customerId: string;
  /** The listing's id: the triggering complaint's id (a replay of its triage finds its own listing). */
  listingId: string;
  owner: string;
  reviewer: string;
  reason: string;
  until: Date;
  confirmBy: Date;
  at: Date;
}

/** The rule listings of the blocklist: each change is one atomic update of the customer's entry (by `_id`). */
export interface RuleListingStore {
  find(customerId: string): Promise<BlocklistEntry | null>;
  /**
   * Lists the customer unless an entry is in force at `at` (an admin's is never overwritten):
   * `listed` when this call listed them, `ours` when this listing already exists (a replay),
   * `already-listed` when another entry is in force.
   */
  autoList(
    request: RuleListingRequest,
  ): Promise<{ outcome: 'listed' | 'ours' | 'already-listed'; entry: BlocklistEntry | null }>;
  /** Marks a pending listing confirmed if it still is pending and not past `confirmBy`; null otherwise. */
  confirm(change: {
    customerId: string;
    listingId: string;
    by: string;
    at: Date;
    reason: string;
  }): Promise<BlocklistEntry | null>;
  /** Removes a pending listing as lapsed; null when it is not pending any more (confirmed, replaced, lapsed). */
  lapse(change: {
    customerId: string;
    listingId: string;
    by: string;
    at: Date;
    reason: string;
  }): Promise<BlocklistEntry | null>;
}

/** The customer's triaged complaints, as the blocklist stage counts them (customerHistories, ADR 0007). */
export interface TriagedHistoryStore {
  /** Records the complaint's triage (once per id) and answers the customer's triaged complaints, this one included. */
  recordTriaged(customerId: string, entry: TriagedHistoryEntry): Promise<TriagedHistoryEntry[]>;
}

/** A complaint's event history (the complaint document's `events`). */
export interface ComplaintEventLog {
  /** Appends the event unless the complaint already has one of this type (so replays add nothing). */
  appendOnce(complaintId: string, event: ComplaintEvent): Promise<void>;
}

/** The confirmation deadlines: one delayed job per listing, with a deterministic id. */
export interface ListingDeadlines {
  schedule(customerId: string, listingId: string, at: Date): Promise<void>;
}
