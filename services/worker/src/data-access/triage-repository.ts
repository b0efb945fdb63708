import {
  complaintEvent,
  complaintModel,
  type ComplaintRecord,
  type Evaluation,
  type FactSources,
} from '@triage/shared';
import type { Connection } from 'mongoose';
import type { TriageStore } from '../domain/triage-complaint';

const DAY_MS = 86_400_000;

export class TriageRepository implements TriageStore, FactSources {
  private readonly model;
  private readonly blocklist;

  constructor(connection: Connection) {
    this.model = complaintModel(connection);
    this.blocklist = connection.collection<{ customerId: string; until: Date }>('blocklist');
  }

  async load(id: string): Promise<ComplaintRecord | null> {
    return this.model.findById(id).lean<ComplaintRecord>();
  }

  async saveDecision(id: string, evaluation: Evaluation, requestId: string | undefined): Promise<boolean> {
    const { decision, trace, relatedComplaintIds } = evaluation;
    const result = await this.model.updateOne(
      { _id: id, status: { $in: ['received', 'enqueued'] } },
      {
        $set: { status: 'triaged', decision, trace, relatedComplaintIds, updatedAt: new Date() },
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
    const since = new Date(Date.now() - days * DAY_MS);
    const rows = await this.model
      .find({ 'customer.id': customerId, receivedAt: { $gte: since }, _id: { $ne: excludeId } }, { _id: 1 })
      .sort({ receivedAt: -1 })
      .limit(50)
      .lean<{ _id: string }[]>();
    return rows.map((row) => row._id);
  }

  async openComplaints(customerId: string, excludeId: string): Promise<number> {
    return this.model.countDocuments({
      'customer.id': customerId,
      _id: { $ne: excludeId },
      status: { $nin: ['resolved', 'closed'] },
    });
  }

  async isBlocklisted(customerId: string, at: Date): Promise<boolean> {
    return (await this.blocklist.countDocuments({ customerId, until: { $gt: at } }, { limit: 1 })) > 0;
  }
}
