import type { Connection } from 'mongoose';

/** One complaint in its customer's history: its id and when it was received. */
export interface CustomerHistoryEntry {
  id: string;
  at: Date;
}

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
}

export const customerHistoryCollection = 'customerHistories';

/** The raw collection (no mongoose model: the document is two fields, written with operators). */
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
