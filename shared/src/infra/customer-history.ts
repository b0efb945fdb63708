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
