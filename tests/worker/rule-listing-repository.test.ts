import mongoose, { type Connection } from 'mongoose';
import { BlocklistRepository } from '../../services/worker/src/data-access/blocklist-repository';
import { TriageRepository } from '../../services/worker/src/data-access/triage-repository';
import { testMongoUrl } from '../support/test-infra';

const t0 = new Date('2026-03-04T15:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

/** A rule listing made at `at` (minutes after t0), to be confirmed within an hour, for a week. */
const listing = (customerId: string, listingId: string, at: number) => ({
  customerId,
  listingId,
  owner: 'rule:repeated-abuse',
  reviewer: 'supervisor:wang',
  reason: '5 or more abusive complaints in 24 hours',
  until: minutes(at + 7 * 24 * 60),
  confirmBy: minutes(at + 60),
  at: minutes(at),
});

describe('rule listings on the MongoDB stand-in: the guarded updates of BlocklistRepository', () => {
  let connection: Connection;
  let blocklist: BlocklistRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl('rulelistings')).asPromise();
    blocklist = new BlocklistRepository(connection);
  });

  afterAll(async () => {
    await connection?.close();
  });

  it('when a rule lists a customer, then they are blocklisted until confirmBy only, unless confirmed', async () => {
    expect((await blocklist.autoList(listing('c-1', 'cmp-1', 0))).outcome).toBe('listed');
    expect(await blocklist.isBlocklisted('c-1', minutes(30))).toBe(true);
    // Past its deadline a pending listing no longer blocks, whether or not the lapse job has run.
    expect(await blocklist.isBlocklisted('c-1', minutes(61))).toBe(false);
    expect(
      await blocklist.confirm({
        customerId: 'c-1',
        listingId: 'cmp-1',
        by: 'supervisor:wang',
        at: minutes(61),
        reason: 'late',
      }),
    ).toBeNull();

    const confirmed = await blocklist.confirm({
      customerId: 'c-1',
      listingId: 'cmp-1',
      by: 'supervisor:wang',
      at: minutes(30),
      reason: 'calls reviewed',
    });
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmedBy: 'supervisor:wang' });
    expect(await blocklist.isBlocklisted('c-1', minutes(61))).toBe(true);
    expect(
      await blocklist.lapse({ customerId: 'c-1', listingId: 'cmp-1', by: 'x', at: minutes(61), reason: 'r' }),
    ).toBeNull();
  });

  it('when the same listing is recorded again, or another while one is in force, then nothing changes', async () => {
    await blocklist.autoList(listing('c-2', 'cmp-2', 0));
    const replay = await blocklist.autoList(listing('c-2', 'cmp-2', 5));
    expect(replay.outcome).toBe('ours');
    expect(replay.entry?.addedAt).toEqual(minutes(0));
    const other = await blocklist.autoList(listing('c-2', 'cmp-3', 10));
    expect(other.outcome).toBe('already-listed');
    expect((await blocklist.find('c-2'))?.history).toHaveLength(1);
  });

  it('when an admin has blocked the customer, then a rule listing never overwrites the entry; an admin block replaces a pending listing', async () => {
    await blocklist.block({
      customerId: 'c-3',
      until: minutes(60 * 24 * 30),
      reason: 'threats',
      by: 'admin:ada',
      at: minutes(0),
    });
    expect((await blocklist.autoList(listing('c-3', 'cmp-4', 10))).outcome).toBe('already-listed');
    expect(await blocklist.find('c-3')).toMatchObject({
      addedBy: 'admin:ada',
      status: 'active',
      listingId: null,
    });

    await blocklist.autoList(listing('c-4', 'cmp-5', 0));
    const { entry } = await blocklist.block({
      customerId: 'c-4',
      until: minutes(60 * 24 * 30),
      reason: 'manual',
      by: 'admin:ada',
      at: minutes(5),
    });
    expect(entry).toMatchObject({
      status: 'active',
      reviewer: null,
      confirmBy: null,
      listingId: null,
      addedBy: 'admin:ada',
    });
    expect(
      await blocklist.lapse({ customerId: 'c-4', listingId: 'cmp-5', by: 'x', at: minutes(61), reason: 'r' }),
    ).toBeNull();
    expect(await blocklist.isBlocklisted('c-4', minutes(61))).toBe(true);
  });

  it('when a listing has lapsed, then it is removed, and a later listing (new evidence) replaces the entry', async () => {
    await blocklist.autoList(listing('c-5', 'cmp-6', 0));
    const lapsed = await blocklist.lapse({
      customerId: 'c-5',
      listingId: 'cmp-6',
      by: 'worker:confirmation-deadline',
      at: minutes(60),
      reason: 'not confirmed by supervisor:wang in time',
    });
    expect(lapsed).toMatchObject({
      status: 'lapsed',
      removedAt: minutes(60),
      removalReason: 'not confirmed by supervisor:wang in time',
    });
    expect(await blocklist.isBlocklisted('c-5', minutes(59))).toBe(true);
    expect(await blocklist.isBlocklisted('c-5', minutes(60))).toBe(false);
    // The same listing replayed after its lapse is not made again.
    expect((await blocklist.autoList(listing('c-5', 'cmp-6', 70))).outcome).toBe('ours');
    const relisted = await blocklist.autoList(listing('c-5', 'cmp-7', 120));
    expect(relisted.outcome).toBe('listed');
    expect(relisted.entry).toMatchObject({
      status: 'pending-confirmation',
      listingId: 'cmp-7',
      removedAt: null,
    });
    expect(relisted.entry?.history.map((event) => event.action)).toEqual([
      'auto-listed',
      'lapsed',
      'auto-listed',
    ]);
  });

  it('when a triage is recorded twice in the customer history, then both pushes are kept in order (the window facts count an id once: blocklist-stage.unit.test.ts)', async () => {
    const triage = new TriageRepository(connection, blocklist);
    const entry = { id: 'cmp-8', at: minutes(0), tags: ['abuse'], flags: ['abusive-caller'], product: false };
    expect(await triage.recordTriaged('c-6', entry)).toEqual([entry]);
    const again = await triage.recordTriaged('c-6', entry);
    expect(again).toEqual([entry, entry]);
    const second = { ...entry, id: 'cmp-9', product: true };
    expect((await triage.recordTriaged('c-6', second)).map((e) => e.id)).toEqual(['cmp-8', 'cmp-8', 'cmp-9']);
  });
});
