import type { ComplaintRecord, ComplaintStatus } from '@triage/shared/complaint';
import { dedupeKeyFor, submitComplaint } from '../src/domain/submit-complaint';
import type { ComplaintStore, TriageQueue } from '../src/domain/ports';
import { sweepStuckComplaints } from '../src/domain/sweep-stuck-complaints';

/** An in-memory complaint store with the same contract as the MongoDB one (unit tests of the domain only). */
class MemoryStore implements ComplaintStore {
  readonly records = new Map<string, ComplaintRecord>();
  failMarking = false;

  async insertOnce(record: ComplaintRecord) {
    const existing = [...this.records.values()].find((r) => r.dedupeKey === record.dedupeKey);
    if (existing) return { created: false, id: existing._id, status: existing.status };
    this.records.set(record._id, structuredClone(record));
    return { created: true, id: record._id, status: record.status };
  }

  async markEnqueued(id: string, _requestId: string | undefined, actor: string) {
    if (this.failMarking) throw new Error('MongoNetworkError');
    const record = this.records.get(id);
    if (record?.status !== 'received') return;
    record.status = 'enqueued' as ComplaintStatus;
    record.events.push({ type: 'enqueued', at: new Date(), actor });
  }

  async findStuckInReceived(before: Date, limit: number) {
    return [...this.records.values()]
      .filter((r) => r.status === 'received' && r.updatedAt < before)
      .slice(0, limit)
      .map((r) => ({ id: r._id }));
  }
}

class MemoryQueue implements TriageQueue {
  readonly jobIds = new Set<string>();
  down = false;
  async enqueue(id: string) {
    if (this.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    this.jobIds.add(`triage-${id}`);
  }
}

const input = { customer: { id: 'c-1' }, channel: 'phone' as const, body: 'charged twice' };
const context = { source: 'api', actor: 'crm:0001' };

describe('submitComplaint', () => {
  it('when an external id is given, then it decides uniqueness whatever Idempotency-Key comes with it', () => {
    expect(dedupeKeyFor('crm', 'E-1', 'key-1', 'id-1')).toBe('ext:crm:E-1');
    expect(dedupeKeyFor('crm', undefined, 'key-1', 'id-1')).toBe('key:crm:key-1');
    expect(dedupeKeyFor('crm', undefined, undefined, 'id-1')).toBe('id:id-1');
  });

  it('when the queue is down, then the complaint is still stored and reported as received for the sweeper', async () => {
    const store = new MemoryStore();
    const queue = new MemoryQueue();
    queue.down = true;
    const deferred: string[] = [];
    const outcome = await submitComplaint(input, context, store, queue, (_e, _id, stage) =>
      deferred.push(stage),
    );
    expect(outcome).toMatchObject({ created: true, enqueued: false, status: 'received' });
    expect(store.records.get(outcome.id)?.status).toBe('received');
    expect(deferred).toEqual(['enqueue']);

    queue.down = false;
    const swept = await sweepStuckComplaints(store, queue, {
      now: new Date(Date.now() + 10_000),
      minAgeMs: 5000,
      batchSize: 10,
    });
    expect(swept.enqueued).toEqual([outcome.id]);
    expect(queue.jobIds).toEqual(new Set([`triage-${outcome.id}`]));
    expect(store.records.get(outcome.id)?.events.map((e) => e.actor)).toEqual(['crm:0001', 'sweeper']);
  });

  it('when the status cannot be advanced after the job was added, then the answer is still accepted', async () => {
    const store = new MemoryStore();
    store.failMarking = true;
    const deferred: string[] = [];
    const outcome = await submitComplaint(input, context, store, new MemoryQueue(), (_e, _id, stage) =>
      deferred.push(stage),
    );
    expect(outcome).toMatchObject({ created: true, enqueued: true });
    expect(deferred).toEqual(['mark-enqueued']);
  });

  it('when the queue is still down during a sweep, then the sweep stops and leaves the complaint for the next tick', async () => {
    const store = new MemoryStore();
    const queue = new MemoryQueue();
    queue.down = true;
    const { id } = await submitComplaint(input, context, store, queue, () => undefined);
    await expect(
      sweepStuckComplaints(store, queue, { now: new Date(Date.now() + 10_000), minAgeMs: 0, batchSize: 10 }),
    ).rejects.toThrow(/enableOfflineQueue/);
    expect(store.records.get(id)?.status).toBe('received');
  });
});
