import type { ComplaintFacts } from '@triage/rules';
import { ConflictError, ForbiddenError } from '@triage/shared/kernel';
import { applyBlocklistRules } from '../src/domain/apply-blocklist-rules';
import { isInForce } from '../src/domain/blocklist';
import { confirmListing } from '../src/domain/confirm-listing';
import { lapseListing } from '../src/domain/lapse-listing';
import { fakeRuleListings } from './support/fake-rule-listings';
import { compileShippedRules } from './support/shipped-rules';

const ruleset = compileShippedRules();
const start = new Date('2026-03-04T15:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
const abusiveDecision = {
  category: 'abusive-contact',
  severity: 'medium' as const,
  queue: 'abuse-review',
  tags: ['abuse'],
  flags: ['abusive-caller'],
};
const billingDecision = { ...abusiveDecision, category: 'billing', queue: 'billing', tags: [], flags: [] };

function complaint(id: string, minutes: number, customerId = 'cust-1'): ComplaintFacts {
  return {
    id,
    source: 'api',
    channel: 'phone',
    body: '…',
    customer: { id: customerId },
    receivedAt: at(minutes),
  };
}

/** Five abusive complaints, one a minute, each triaged a second after it arrived. */
async function fiveAbusive(fake: ReturnType<typeof fakeRuleListings>, customerId = 'cust-1') {
  const outcomes = [];
  for (let i = 1; i <= 5; i += 1) {
    outcomes.push(
      await applyBlocklistRules(
        ruleset,
        complaint(`${customerId}-c${i}`, i, customerId),
        abusiveDecision,
        undefined,
        fake.deps,
        new Date(at(i).getTime() + 1000),
      ),
    );
  }
  return outcomes;
}

describe('applyBlocklistRules (rules/blocklist.json after each decision)', () => {
  it('when the fifth abusive complaint in 24 h is decided, then the customer is listed once, pending the rule’s reviewer, with a deadline job and an event', async () => {
    const fake = fakeRuleListings();
    const outcomes = await fiveAbusive(fake);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual([
      'no-rule-fired',
      'no-rule-fired',
      'no-rule-fired',
      'no-rule-fired',
      'listed',
    ]);
    const entry = fake.entries.get('cust-1');
    const listedAt = new Date(at(5).getTime() + 1000);
    expect(entry).toMatchObject({
      status: 'pending-confirmation',
      owner: 'rule:repeated-abuse',
      addedBy: 'rule:repeated-abuse',
      reviewer: 'supervisor:sofia',
      listingId: 'cust-1-c5',
      until: new Date(listedAt.getTime() + 7 * 24 * HOUR),
      confirmBy: new Date(listedAt.getTime() + 24 * HOUR),
    });
    expect([...fake.deadlines]).toEqual([['blocklist-lapse-cust-1-cust-1-c5', entry?.confirmBy]]);
    expect(fake.events.get('cust-1-c5')?.map((event) => event.type)).toEqual(['blocklist.auto-listed']);
  });

  it('when the listing complaint’s triage is replayed, then nothing is listed, counted or recorded twice', async () => {
    const fake = fakeRuleListings();
    await fiveAbusive(fake);
    const before = structuredClone(fake.entries.get('cust-1'));
    const replay = await applyBlocklistRules(
      ruleset,
      complaint('cust-1-c5', 5),
      abusiveDecision,
      undefined,
      fake.deps,
      at(30),
    );
    expect(replay).toEqual({ outcome: 'listed', rule: 'repeated-abuse', replay: true });
    expect(fake.entries.get('cust-1')).toEqual(before);
    expect(fake.deadlines.size).toBe(1);
    expect(fake.events.get('cust-1-c5')).toHaveLength(1);
  });

  it('when a complaint is triaged more than a week after it arrived, then it is recorded but lists nobody', async () => {
    const fake = fakeRuleListings();
    for (let i = 1; i <= 4; i += 1) {
      await applyBlocklistRules(ruleset, complaint(`c${i}`, i), abusiveDecision, undefined, fake.deps, at(i));
    }
    const late = await applyBlocklistRules(
      ruleset,
      complaint('c5', 5),
      abusiveDecision,
      undefined,
      fake.deps,
      new Date(at(5).getTime() + 169 * HOUR),
    );
    expect(late).toEqual({ outcome: 'stale' });
    expect(fake.histories.get('cust-1')?.map((entry) => entry.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(fake.entries.size).toBe(0);
  });

  it('when an admin’s entry is in force, then no rule listing replaces it', async () => {
    const fake = fakeRuleListings();
    fake.entries.set('cust-1', {
      customerId: 'cust-1',
      until: at(60 * 24 * 30),
      reason: 'threatened staff',
      addedBy: 'admin:ada',
      addedAt: at(-60),
      removedAt: null,
      removedBy: null,
      removalReason: null,
      status: 'active',
      history: [{ action: 'blocked', at: at(-60), by: 'admin:ada' }],
    });
    const outcomes = await fiveAbusive(fake);
    expect(outcomes[4]).toEqual({ outcome: 'already-listed', rule: 'repeated-abuse' });
    expect(fake.entries.get('cust-1')).toMatchObject({ addedBy: 'admin:ada', status: 'active' });
    expect(fake.deadlines.size).toBe(0);
  });

  it('when a listing has lapsed, then the complaints that led to it do not list the customer again; new ones may', async () => {
    const fake = fakeRuleListings();
    await fiveAbusive(fake);
    await lapseListing(
      fake.deps.listings,
      fake.deps.events,
      { customerId: 'cust-1', listingId: 'cust-1-c5' },
      at(60 * 25),
    );
    const polite = await applyBlocklistRules(
      ruleset,
      complaint('cust-1-c6', 60 * 25 + 1),
      billingDecision,
      undefined,
      fake.deps,
      at(60 * 25 + 2),
    );
    expect(polite.outcome).toBe('no-rule-fired');
    expect(fake.entries.get('cust-1')).toMatchObject({ status: 'lapsed', listingId: 'cust-1-c5' });
  });
});

describe('isInForce for rule listings', () => {
  it('when a listing awaits confirmation, then it blocks until its confirmBy only; confirmed, until its until', () => {
    const pending = {
      addedAt: at(0),
      until: at(60 * 24 * 7),
      removedAt: null,
      status: 'pending-confirmation' as const,
      confirmBy: at(60),
    };
    expect(isInForce(pending, at(59))).toBe(true);
    expect(isInForce(pending, at(60))).toBe(false);
    expect(isInForce({ ...pending, status: 'confirmed' }, at(61))).toBe(true);
    expect(isInForce({ ...pending, status: 'confirmed' }, at(60 * 24 * 7))).toBe(false);
  });
});

describe('confirmListing and lapseListing', () => {
  async function listed() {
    const fake = fakeRuleListings();
    await fiveAbusive(fake);
    return fake;
  }
  const reviewer = { label: 'supervisor:sofia', isAdmin: false };

  it.each([
    ['another supervisor', { label: 'supervisor:li', isAdmin: false }],
    ['an agent', { label: 'agent:agent-1', isAdmin: false }],
    ['a CRM', { label: 'crm:generic-crm', isAdmin: false }],
  ])('when %s confirms, then it is refused and the listing stays pending', async (_who, confirmer) => {
    const fake = await listed();
    await expect(
      confirmListing(
        fake.deps.listings,
        fake.deps.events,
        { customerId: 'cust-1', reason: 'ok' },
        confirmer,
        at(10),
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(fake.entries.get('cust-1')?.status).toBe('pending-confirmation');
  });

  it('when the reviewer confirms before the deadline, then it is confirmed once; an admin may confirm any listing', async () => {
    const fake = await listed();
    const confirmed = await confirmListing(
      fake.deps.listings,
      fake.deps.events,
      { customerId: 'cust-1', reason: 'calls reviewed' },
      reviewer,
      at(10),
    );
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      confirmedBy: 'supervisor:sofia',
      confirmedAt: at(10),
    });
    expect(fake.events.get('cust-1-c5')?.map((event) => event.type)).toEqual([
      'blocklist.auto-listed',
      'blocklist.confirmed',
    ]);
    await expect(
      confirmListing(
        fake.deps.listings,
        fake.deps.events,
        { customerId: 'cust-1', reason: 'again' },
        reviewer,
        at(11),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(
      await lapseListing(
        fake.deps.listings,
        fake.deps.events,
        { customerId: 'cust-1', listingId: 'cust-1-c5' },
        at(60 * 25),
      ),
    ).toBe('not-pending');

    const other = await listed();
    await expect(
      confirmListing(
        other.deps.listings,
        other.deps.events,
        { customerId: 'cust-1', reason: 'ok' },
        { label: 'admin:ada', isAdmin: true },
        at(10),
      ),
    ).resolves.toMatchObject({ status: 'confirmed', confirmedBy: 'admin:ada' });
  });

  it('when the deadline passes unconfirmed, then the listing lapses once, with the reason, and can no longer be confirmed', async () => {
    const fake = await listed();
    const job = { customerId: 'cust-1', listingId: 'cust-1-c5' };
    expect(await lapseListing(fake.deps.listings, fake.deps.events, job, at(60))).toBe('not-due');
    expect(await lapseListing(fake.deps.listings, fake.deps.events, job, at(60 * 25))).toBe('lapsed');
    expect(await lapseListing(fake.deps.listings, fake.deps.events, job, at(60 * 26))).toBe('lapsed');
    expect(fake.entries.get('cust-1')).toMatchObject({
      status: 'lapsed',
      removedAt: at(60 * 25),
      removedBy: 'worker:confirmation-deadline',
      removalReason: 'not confirmed by supervisor:sofia in time',
    });
    expect(fake.entries.get('cust-1')?.history.map((event) => event.action)).toEqual([
      'auto-listed',
      'lapsed',
    ]);
    expect(fake.events.get('cust-1-c5')?.map((event) => event.type)).toEqual([
      'blocklist.auto-listed',
      'blocklist.lapsed',
    ]);
    await expect(
      confirmListing(
        fake.deps.listings,
        fake.deps.events,
        { customerId: 'cust-1', reason: 'late' },
        reviewer,
        at(60 * 27),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});
