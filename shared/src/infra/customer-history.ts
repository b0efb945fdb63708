import type { Connection } from 'mongoose';

/** One complaint in its customer's history: its id and when it was received. */
export interface CustomerHistoryEntry {
  id: string;
  at: Date;
}

/**
 * How one of the customer's complaints was resolved, recorded by the router on resolve so the
 * worker can offer `priorFinalAnswer`, `daysSinceFinalAnswer` and `priorResolutionCodes`.
 */
export interface CustomerOutcome {
  complaintId: string;
  category: string;
  code: string;
  finalAnswer: boolean;
  at: Date;
}

/**
 * One of the customer's complaints as triaged, for the blocklist stage's window facts
 * (rules/blocklist.json): when it was received, its decision's tags and flags, whether it named
 * a product. Written by the worker after the decision; see {@link recordTriagedInHistory}.
 */
export interface CustomerTriagedEntry {
  id: string;
  at: Date;
  tags: string[];
  flags: string[];
  product: boolean;
}

/**
 * How many triaged entries a history keeps (the newest). The blocklist windows look back at
 * most 31 days; a customer with more triaged complaints than this in a window counts this many.
 */
export const maxTriagedKept = 500;

/** How many outcomes a history keeps (the newest): bounded, like every array in a document. */
export const maxOutcomesKept = 20;

/**
 * A customer's complaints, one document per customer (`_id` is the customer id), so the
 * history facts (`repeatCount`, `openComplaints`) are one read by `_id` instead of a query
 * over every complaint (docs/adr/0007-customer-history-document.md). Intake adds a complaint
 * once it is stored, the worker again while it triages it; both with `$addToSet` of the same
 * entry, so retries and repeats change nothing.
 */
export interface CustomerHistoryDocument {
  _id: string;
  complaints: CustomerHistoryEntry[];
  /** Outcomes of resolved complaints, oldest first, at most {@link maxOutcomesKept}. */
  outcomes?: CustomerOutcome[];
  /** Triaged complaints, in triage order, at most {@link maxTriagedKept} (repeats of an id count once). */
  triaged?: CustomerTriagedEntry[];
}

export const customerHistoryCollection = 'customerHistories';

/** The raw collection (no mongoose model: the document is a few arrays, written with operators). */
export function customerHistories(connection: Connection) {
  return connection.collection<CustomerHistoryDocument>(customerHistoryCollection);
}

/**
 * The update that records `entry` in its customer's history: idempotent, one document, by `_id`.
 * The entry's fields are written in one order everywhere so `$addToSet` sees repeats as equal.
 */
export function recordInHistory(entry: CustomerHistoryEntry) {
  return { $addToSet: { complaints: { id: entry.id, at: entry.at } } };
}

/**
 * The filter and update that record `outcome` in its customer's history: one document by
 * `_id`, the newest {@link maxOutcomesKept} kept. The filter skips a history that already
 * holds an outcome for the complaint, so a retried resolve records it once.
 */
export function recordOutcomeInHistory(customerId: string, outcome: CustomerOutcome) {
  return {
    filter: { _id: customerId, 'outcomes.complaintId': { $ne: outcome.complaintId } },
    update: {
      $push: {
        outcomes: {
          $each: [
            {
              complaintId: outcome.complaintId,
              category: outcome.category,
              code: outcome.code,
              finalAnswer: outcome.finalAnswer,
              at: outcome.at,
            },
          ],
          $slice: -maxOutcomesKept,
        },
      },
    },
  };
}

/**
 * The update that records a triaged complaint in its customer's history: by `_id` alone (the
 * MongoDB stand-in scans for any other filter), upsert, the newest {@link maxTriagedKept} kept.
 * A replayed triage pushes the entry again; readers count each id once.
 */
export function recordTriagedInHistory(entry: CustomerTriagedEntry) {
  return {
    $push: {
      triaged: {
        $each: [{ id: entry.id, at: entry.at, tags: entry.tags, flags: entry.flags, product: entry.product }],
        $slice: -maxTriagedKept,
      },
    },
  };
}
