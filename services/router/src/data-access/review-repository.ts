import type { Collection, Connection } from 'mongoose';
import type { QaReview, ReviewHistoryEvent } from '../domain/qa-review-model';
import type { ReviewFilter, ReviewStore } from '../domain/qa-reviews';
import type { ReviewReason } from '../domain/qa-sampling';

/** MongoDB's duplicate-key error: two processes upserted the same new review at once. */
const DUPLICATE_KEY = 11000;

/**
 * QA reviews (`qaReviews`), one document per drawn close. Every change is one update by `_id`
 * guarded by the status (and reviewer) it expects, with its history event pushed in the same
 * update. Listing filters scan the (small) collection on the stand-in; a real MongoDB uses the
 * `{ status, openedAt }` and `{ agentId, openedAt }` indexes.
 */
export class ReviewRepository implements ReviewStore {
  private readonly collection: Collection<QaReview>;

  constructor(connection: Connection) {
    this.collection = connection.collection<QaReview>('qaReviews');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ status: 1, openedAt: 1 });
    await this.collection.createIndex({ agentId: 1, openedAt: -1 });
    await this.collection.createIndex({ reviewer: 1, status: 1 });
  }

  async open(
    review: Omit<QaReview, 'reasons' | 'history'>,
    reasons: readonly ReviewReason[],
    event: ReviewHistoryEvent,
  ): Promise<QaReview> {
    const { _id, ...fields } = review;
    const upsert = () =>
      this.collection.findOneAndUpdate(
        { _id },
        {
          $setOnInsert: { ...fields, history: [event] },
          $addToSet: { reasons: { $each: [...reasons] } },
        },
        { upsert: true, returnDocument: 'after' },
      );
    try {
      const stored = await upsert();
      if (stored) return stored;
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
    }
    // A twin created it first: add our reasons to theirs.
    const again = await upsert();
    if (!again) throw new Error(`review ${_id} could not be opened`);
    return again;
  }

  async findById(id: string): Promise<QaReview | null> {
    return this.collection.findOne({ _id: id });
  }

  async takeNext(reviewer: string, at: Date): Promise<QaReview | null> {
    return this.collection.findOneAndUpdate(
      { status: 'open' },
      {
        $set: { status: 'assigned', reviewer, assignedAt: at },
        $push: { history: { type: 'qa.review-assigned', at, actor: reviewer, data: { reviewer } } },
      },
      { sort: { openedAt: 1 }, returnDocument: 'after' },
    );
  }

  async transition(
    id: string,
    expected: { status: QaReview['status']; reviewer?: string | null },
    set: Partial<QaReview>,
    event: ReviewHistoryEvent,
  ): Promise<QaReview | null> {
    return this.collection.findOneAndUpdate(
      {
        _id: id,
        status: expected.status,
        ...(expected.reviewer !== undefined ? { reviewer: expected.reviewer } : {}),
      },
      { $set: set, $push: { history: event } },
      { returnDocument: 'after' },
    );
  }

  async list(filter: ReviewFilter, limit: number): Promise<QaReview[]> {
    return this.collection
      .find({
        ...(filter.status ? { status: { $in: filter.status } } : {}),
        ...(filter.reviewer !== undefined ? { reviewer: filter.reviewer } : {}),
        ...(filter.agentId !== undefined ? { agentId: filter.agentId } : {}),
      })
      .sort({ openedAt: -1 })
      .limit(limit)
      .toArray();
  }
}
