import { type Evaluation, type FactSources } from '@triage/rules';
import { complaintEvent, complaintModel, type ComplaintRecord } from '@triage/shared';
import type { Connection } from 'mongoose';
import type { ReplayStore } from '../domain/replay-rules';
import type { TriageStore } from '../domain/triage-complaint';
import { BlocklistRepository } from './blocklist-repository';

const DAY_MS = 86_400_000;
/** Most earlier complaints a decision links. */
const RELATED_LIMIT = 50;

export class TriageRepository implements TriageStore, FactSources, ReplayStore {
  private readonly model;
  private readonly blocklist;

  constructor(connection: Connection, blocklist = new BlocklistRepository(connection)) {
    this.model = complaintModel(connection);
    this.blocklist = blocklist;
  }

  async load(id: string): Promise<ComplaintRecord | null> {
    return this.model.findById(id).lean<ComplaintRecord>();
  }

  async saveDecision(id: string, evaluation: Evaluation, requestId: string | undefined): Promise<boolean> {
    const { decision, trace, skippedRules, relatedComplaintIds } = evaluation;
    const result = await this.model.updateOne(
      { _id: id, status: { $in: ['received', 'enqueued'] } },
      {
        $set: {
          status: 'triaged',
          decision,
          trace,
          skippedRules,
          relatedComplaintIds,
          updatedAt: new Date(),
        },
        $push: {
          events: complaintEvent('triaged', {
            actor: 'worker',
            ...(requestId ? { requestId } : {}),
            data: {
              category: decision.category,
              severity: decision.severity,
              queue: decision.queue,
              rulesetVersion: decision.rulesetVersion,
              firedRules: decision.firedRules.map((rule) => `${rule.stage}/${rule.rule}`),
            },
          }),
        },
      },
    );
    return result.modifiedCount === 1;
  }

  async recentComplaintIds(customerId: string, days: number, excludeId: string): Promise<string[]> {
    return this.recentAsOf(customerId, days, excludeId, new Date(), false);
  }

  async openComplaints(customerId: string, excludeId: string): Promise<number> {
    return this.model.countDocuments({
      'customer.id': customerId,
      _id: { $ne: excludeId },
      status: { $nin: ['resolved', 'closed'] },
    });
  }

  async isBlocklisted(customerId: string, at: Date): Promise<boolean> {
    return this.blocklist.isBlocklisted(customerId, at);
  }

  /** The newest complaints, newest first, without their (large) trace and event history. */
  async latestComplaints(limit: number): Promise<ComplaintRecord[]> {
    return this.model
      .find({}, { trace: 0, events: 0, original: 0 })
      .sort({ receivedAt: -1, _id: 1 })
      .limit(limit)
      .lean<ComplaintRecord[]>();
  }

  /**
   * Customer history as it stood at `at`: complaints received in the `days` before it and
   * blocklist entries in force then. Open complaints can only be counted as they are now
   * (statuses are not versioned), limited to those received by `at`.
   */
  factSourcesAsOf(at: Date): FactSources {
    return {
      recentComplaintIds: (customerId, days, excludeId) =>
        this.recentAsOf(customerId, days, excludeId, at, true),
      openComplaints: (customerId, excludeId) =>
        this.model.countDocuments({
          'customer.id': customerId,
          _id: { $ne: excludeId },
          receivedAt: { $lte: at },
          status: { $nin: ['resolved', 'closed'] },
        }),
      isBlocklisted: (customerId) => this.blocklist.isBlocklisted(customerId, at),
    };
  }

  private async recentAsOf(
    customerId: string,
    days: number,
    excludeId: string,
    at: Date,
    bounded: boolean,
  ): Promise<string[]> {
    const since = new Date(at.getTime() - days * DAY_MS);
    const rows = await this.model
      .find(
        {
          'customer.id': customerId,
          receivedAt: bounded ? { $gte: since, $lte: at } : { $gte: since },
          _id: { $ne: excludeId },
        },
        { _id: 1 },
      )
      .sort({ receivedAt: -1 })
      .limit(RELATED_LIMIT)
      .lean<{ _id: string }[]>();
    return rows.map((row) => row._id);
  }
}
