import { customerHistories, recordOutcomeInHistory } from '@triage/shared/infra';
import type { Connection } from 'mongoose';
import type { OutcomeLog, ResolvedOutcome } from '../domain/ports';

/** MongoDB's duplicate-key error: the guarded upsert met a history that already holds the outcome. */
const DUPLICATE_KEY = 11000;

/**
 * Outcomes in the customers' history documents (ADR 0007): one update by `_id`. The filter
 * matches only a history without this complaint's outcome, so a retry changes nothing; the
 * upsert creates a history intake never wrote, and fails with a duplicate key, which is
 * success, when the history exists and already holds the outcome.
 */
export class OutcomeRepository implements OutcomeLog {
  private readonly histories;

  constructor(connection: Connection) {
    this.histories = customerHistories(connection);
  }

  async record(outcome: ResolvedOutcome): Promise<void> {
    const { filter, update } = recordOutcomeInHistory(outcome.customerId, outcome);
    try {
      await this.histories.updateOne(
        filter,
        { ...update, $setOnInsert: { complaints: [] } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
    }
  }
}
