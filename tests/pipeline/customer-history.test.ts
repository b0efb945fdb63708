import { randomUUID } from 'node:crypto';
import type { ComplaintRecord, ComplaintStatus } from '@triage/shared/complaint';
import { complaintModel, customerHistories } from '@triage/shared/infra';
import type { FactSources } from '@triage/rules';
import mongoose, { type Connection } from 'mongoose';
import { ComplaintRepository } from '../../services/intake/src/data-access/complaint-repository';
import { buildComplaintRecord } from '../../services/intake/src/domain/submit-complaint';
import { TriageRepository } from '../../services/worker/src/data-access/triage-repository';
import { buildEnglishComplaint } from '../support/builders';
import { testMongoUrl } from '../support/test-infra';

const DAY_MS = 86_400_000;
const statuses: ComplaintStatus[] = ['received', 'triaged', 'queued', 'in_progress', 'resolved', 'closed'];

/**
 * The history facts as they were computed before ADR 0007: queries over every complaint. The
 * per-customer history document must give exactly these answers.
 */
function queriedFactSources(connection: Connection, at: Date): FactSources {
  const model = complaintModel(connection);
  return {
    recentComplaintIds: async (customerId, days, excludeId) =>
      (
        await model
          .find(
            {
              'customer.id': customerId,
              receivedAt: { $gte: new Date(at.getTime() - days * DAY_MS), $lte: at },
              _id: { $ne: excludeId },
            },
            { _id: 1 },
          )
          .sort({ receivedAt: -1 })
          .limit(50)
          .lean<{ _id: string }[]>()
      ).map((row) => row._id),
    openComplaints: (customerId, excludeId) =>
      model.countDocuments({
        'customer.id': customerId,
        _id: { $ne: excludeId },
        receivedAt: { $lte: at },
        status: { $nin: ['resolved', 'closed'] },
      }),
    isBlocklisted: async () => false,
  };
}

/** A complaint of `customerId` received `daysAgo` days before now, with `status`. */
function complaintOf(customerId: string, daysAgo: number, status: ComplaintStatus): ComplaintRecord {
  const receivedAt = new Date(Date.now() - Math.round(daysAgo * DAY_MS));
  return {
    ...buildComplaintRecord(buildEnglishComplaint({ customer: { id: customerId, tier: 'gold' } }), {
      source: 'api',
      actor: 'test',
      now: receivedAt,
    }),
    status,
  };
}

async function answers(sources: FactSources, complaint: ComplaintRecord) {
  const customerId = complaint.customer.id;
  return {
    recent7: await sources.recentComplaintIds(customerId, 7, complaint._id),
    recent30: await sources.recentComplaintIds(customerId, 30, complaint._id),
    recent365: await sources.recentComplaintIds(customerId, 365, complaint._id),
    open: await sources.openComplaints(customerId, complaint._id),
  };
}

describe('customer history facts from the per-customer history document (ADR 0007)', () => {
  let connection: Connection;
  let intake: ComplaintRepository;
  let worker: TriageRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl('history')).asPromise();
    intake = new ComplaintRepository(connection);
    await intake.ensureIndexes();
    worker = new TriageRepository(connection);
  });

  afterAll(async () => {
    await connection?.close();
  });

  const historyOf = async (customerId: string) =>
    (await customerHistories(connection).findOne({ _id: customerId }))?.complaints ?? [];

  it('when customers have earlier complaints in every status, then repeat counts and open complaints as of each arrival equal the queries over the collection', async () => {
    const customers = ['h-alice', 'h-bob', 'h-carol'];
    const stored: ComplaintRecord[] = [];
    for (let i = 0; i < 36; i++) {
      // Deterministic spread: 0–120 days back, several on the same customer, every status.
      const complaint = complaintOf(customers[i % 3]!, (i * 37) % 121, statuses[i % statuses.length]!);
      await intake.insertOnce(complaint);
      stored.push(complaint);
    }
    for (const complaint of stored) {
      const expected = await answers(queriedFactSources(connection, complaint.receivedAt), complaint);
      expect(await answers(worker.factSourcesAsOf(complaint.receivedAt), complaint)).toEqual(expected);
      expect(await answers(worker.triageSourcesAsOf(complaint.receivedAt), complaint)).toEqual(expected);
    }
    // The non-as-of answers (now) agree too.
    const newest = stored[0]!;
    const now = queriedFactSources(connection, new Date());
    expect(await worker.openComplaints(newest.customer.id, newest._id)).toBe(
      await now.openComplaints(newest.customer.id, newest._id),
    );
  });

  it('when a complaint is resolved after it was recorded, then open complaints count it no more (statuses are read as they are now)', async () => {
    const earlier = complaintOf('h-dave', 3, 'queued');
    const later = complaintOf('h-dave', 1, 'received');
    await intake.insertOnce(earlier);
    await intake.insertOnce(later);
    expect(await worker.factSourcesAsOf(later.receivedAt).openComplaints('h-dave', later._id)).toBe(1);
    await complaintModel(connection).updateOne({ _id: earlier._id }, { $set: { status: 'resolved' } });
    expect(await worker.factSourcesAsOf(later.receivedAt).openComplaints('h-dave', later._id)).toBe(0);
  });

  it('when a complaint is triaged late, then it sees only the complaints received before it, as a prompt triage would', async () => {
    const first = complaintOf('h-erin', 2, 'received');
    await intake.insertOnce(first);
    const afterwards = [complaintOf('h-erin', 1, 'queued'), complaintOf('h-erin', 0.5, 'queued')];
    for (const complaint of afterwards) await intake.insertOnce(complaint);
    const sources = worker.triageSourcesAsOf(first.receivedAt);
    expect(await sources.recentComplaintIds('h-erin', 30, first._id)).toEqual([]);
    expect(await sources.openComplaints('h-erin', first._id)).toBe(0);
  });

  it('when intake and the worker record the same complaint again and again, concurrently, then it is in the history once', async () => {
    const complaint = complaintOf('h-frank', 1, 'received');
    await intake.insertOnce(complaint);
    // A retried delivery (same dedupe key, a new id) and two workers triaging it at once.
    const retried = { ...complaint, _id: randomUUID() };
    await Promise.all([
      intake.insertOnce(retried),
      answers(worker.triageSourcesAsOf(complaint.receivedAt), complaint),
      answers(worker.triageSourcesAsOf(complaint.receivedAt), complaint),
    ]);
    expect(await historyOf('h-frank')).toEqual([{ id: complaint._id, at: complaint.receivedAt }]);
  });

  it('when several complaints of one customer are recorded at once, then every one is in the history', async () => {
    const complaints = Array.from({ length: 12 }, (_, i) => complaintOf('h-gina', i / 10, 'received'));
    await Promise.all(complaints.map((complaint) => intake.insertOnce(complaint)));
    expect((await historyOf('h-gina')).map((entry) => entry.id).sort()).toEqual(
      complaints.map((complaint) => complaint._id).sort(),
    );
  });

  it('when intake stored a complaint but could not record it, then triaging it records it for the next complaint', async () => {
    const missed = complaintOf('h-hugo', 2, 'received');
    await complaintModel(connection).collection.insertOne(missed as never);
    await answers(worker.triageSourcesAsOf(missed.receivedAt), missed);
    const next = complaintOf('h-hugo', 1, 'received');
    await intake.insertOnce(next);
    expect(await worker.factSourcesAsOf(next.receivedAt).recentComplaintIds('h-hugo', 30, next._id)).toEqual([
      missed._id,
    ]);
  });

  it('when complaints were stored before histories existed, then the backfill records them once and the facts match the queries', async () => {
    const own = await mongoose.createConnection(testMongoUrl('backfill')).asPromise();
    try {
      const model = complaintModel(own);
      const old = Array.from({ length: 25 }, (_, i) =>
        complaintOf(`b-${i % 4}`, (i * 13) % 90, statuses[i % statuses.length]!),
      );
      await model.collection.insertMany(old as never[]);
      const repository = new TriageRepository(own);
      expect(await repository.backfillCustomerHistories()).toBe(25);
      expect(await repository.backfillCustomerHistories()).toBe(0);
      for (const complaint of old) {
        expect(await answers(repository.factSourcesAsOf(complaint.receivedAt), complaint)).toEqual(
          await answers(queriedFactSources(own, complaint.receivedAt), complaint),
        );
      }
    } finally {
      await own.close();
    }
  });
});
