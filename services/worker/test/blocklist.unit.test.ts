import { NotFoundError, ValidationError } from '@triage/shared/kernel';
import { blockCustomer, isInForce, unblockCustomer, type BlocklistEntry } from '../src/domain/blocklist';
import type { BlocklistStore } from '../src/domain/ports';

/** An in-memory store: enough to exercise the use cases' checks. */
function memoryStore(): BlocklistStore & { entries: Map<string, BlocklistEntry> } {
  const entries = new Map<string, BlocklistEntry>();
  return {
    entries,
    async block({ customerId, until, reason, by, at }) {
      const previous = entries.get(customerId);
      const entry: BlocklistEntry = {
        customerId,
        until,
        reason,
        addedBy: by,
        addedAt: at,
        removedAt: null,
        removedBy: null,
        removalReason: null,
        history: [...(previous?.history ?? []), { action: 'blocked', at, by, until, reason }],
      };
      entries.set(customerId, entry);
      return { entry, created: previous === undefined };
    },
    async unblock({ customerId, by, at }) {
      const entry = entries.get(customerId);
      if (!entry || entry.removedAt) return null;
      const removed = {
        ...entry,
        removedAt: at,
        removedBy: by,
        history: [...entry.history, { action: 'unblocked' as const, at, by }],
      };
      entries.set(customerId, removed);
      return removed;
    },
    async find(customerId) {
      return entries.get(customerId) ?? null;
    },
    async list() {
      return [...entries.values()];
    },
  };
}

const now = new Date('2026-03-04T15:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('blocklist use cases', () => {
  it('when the end date is in the past or more than 365 days ahead, then the request is rejected naming /until', async () => {
    const store = memoryStore();
    for (const until of [days(-1), now, days(366)]) {
      const attempt = blockCustomer(
        store,
        { customerId: 'c-1', until, reason: 'abuse' },
        'admin:key…0001',
        now,
      );
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ fieldErrors: [{ path: '/until' }] });
    }
    expect(store.entries.size).toBe(0);
  });

  it('when a customer is blocked, then who, when and why are recorded and the entry is in force until the end date', async () => {
    const store = memoryStore();
    const { entry, created } = await blockCustomer(
      store,
      { customerId: 'c-1', until: days(30), reason: '  threatened staff  ' },
      'admin:key…0001',
      now,
    );
    expect(created).toBe(true);
    expect(entry).toMatchObject({ addedBy: 'admin:key…0001', addedAt: now, reason: 'threatened staff' });
    expect(isInForce(entry, days(29))).toBe(true);
    expect(isInForce(entry, days(30))).toBe(false);
    expect(isInForce(entry, days(-1))).toBe(false);
  });

  it('when a customer is unblocked, then the entry is kept, marked removed, and no longer in force', async () => {
    const store = memoryStore();
    await blockCustomer(store, { customerId: 'c-1', until: days(30), reason: 'abuse' }, 'admin:a', now);
    const removed = await unblockCustomer(store, 'c-1', 'admin:b', days(1));
    expect(removed).toMatchObject({ removedBy: 'admin:b', removedAt: days(1) });
    expect(removed.history.map((event) => event.action)).toEqual(['blocked', 'unblocked']);
    expect(isInForce(removed, days(2))).toBe(false);
    expect(isInForce(removed, now)).toBe(true);
  });

  it('when a customer who is not blocked is unblocked, then 404', async () => {
    await expect(unblockCustomer(memoryStore(), 'nobody', 'admin:a', now)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
