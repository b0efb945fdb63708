import fc from 'fast-check';
import {
  blocklistFileSchema,
  checkBlocklistFile,
  evaluateBlocklistStage,
  listingOf,
  windowCounter,
  type BlocklistFile,
  type ComplaintFacts,
  type TriagedHistoryEntry,
} from '../src';

const receivedAt = new Date('2026-03-04T15:00:00Z');
const HOUR = 3_600_000;
const complaint: ComplaintFacts = {
  id: 'c-now',
  source: 'api',
  channel: 'phone',
  body: '你们这帮王八蛋',
  customer: { id: 'cust-1' },
  receivedAt,
};
const decision = { category: 'abusive-contact', severity: 'medium' as const, queue: 'abuse-review' };

function entry(
  id: string,
  hoursAgo: number,
  overrides: Partial<TriagedHistoryEntry> = {},
): TriagedHistoryEntry {
  return {
    id,
    at: new Date(receivedAt.getTime() - hoursAgo * HOUR),
    tags: [],
    flags: [],
    product: true,
    ...overrides,
  };
}

function stage(rules: unknown[]): BlocklistFile {
  return blocklistFileSchema.parse({ stage: 'blocklist', rules });
}

const params = (overrides: Record<string, unknown> = {}) => ({
  period: 'week',
  reviewer: 'supervisor:wang',
  confirmWithinHours: 24,
  reason: 'abuse',
  ...overrides,
});

const abuseRule = (name: string, priority: number, atLeast: number, eventParams = params()) => ({
  name,
  priority,
  conditions: {
    all: [
      {
        fact: 'taggedWithin',
        params: { hours: 24, tag: 'abuse' },
        operator: 'greaterThanInclusive',
        value: atLeast,
      },
    ],
  },
  event: { type: 'blocklist', params: eventParams },
});

describe('the blocklist stage: window facts', () => {
  it('when complaints fall inside, on the edge of and outside the window, then only (receipt − hours, receipt] counts', () => {
    const count = windowCounter({
      complaint,
      decision: { ...decision, tags: [], flags: [] },
      history: [entry('in', 23.9), entry('edge', 24), entry('later', -1), entry('now', 0)],
    });
    expect(count(24)).toBe(2);
    expect(count(48)).toBe(3);
  });

  it('when an id is recorded twice (a replayed triage), then it counts once', () => {
    const count = windowCounter({
      complaint,
      decision: { ...decision, tags: [], flags: [] },
      history: [entry('a', 1, { tags: ['abuse'] }), entry('a', 1, { tags: ['abuse'] }), entry('b', 2)],
    });
    expect(count(24)).toBe(2);
    expect(count(24, (e) => e.tags.includes('abuse'))).toBe(1);
  });

  it('when an earlier listing has ended, then complaints received up to it do not count again', () => {
    const count = windowCounter({
      complaint,
      decision: { ...decision, tags: [], flags: [] },
      history: [entry('old', 5), entry('older', 6), entry('new', 1)],
      countAfter: new Date(receivedAt.getTime() - 3 * HOUR),
    });
    expect(count(24)).toBe(1);
  });

  it('for any history, a longer window never counts fewer complaints, and repeats never add', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            hoursAgo: fc.double({ min: -2, max: 800, noNaN: true }),
          }),
        ),
        fc.double({ min: 0.1, max: 744, noNaN: true }),
        fc.double({ min: 0.1, max: 744, noNaN: true }),
        (items, h1, h2) => {
          const history = items.map((item) => entry(item.id, item.hoursAgo));
          const count = windowCounter({ complaint, decision: { ...decision, tags: [], flags: [] }, history });
          const doubled = windowCounter({
            complaint,
            decision: { ...decision, tags: [], flags: [] },
            history: [...history, ...history],
          });
          const [short, long] = h1 <= h2 ? [h1, h2] : [h2, h1];
          return count(short) <= count(long) && doubled(long) === count(long) && count(long) <= 5;
        },
      ),
    );
  });
});

describe('the blocklist stage: checks', () => {
  it('when a rule names an unknown fact, a regex, a bad window or no tag, then each error names rules/blocklist.json and the path', () => {
    const errors = checkBlocklistFile(
      stage([
        {
          name: 'bad',
          conditions: {
            all: [
              { fact: 'repeatCount', operator: 'greaterThan', value: 1 },
              { fact: 'category', operator: 'matchesRegex', value: 'abuse' },
              { fact: 'complaintsWithin', params: { hours: 0 }, operator: 'greaterThan', value: 1 },
              { fact: 'flaggedWithin', operator: 'greaterThan', value: 1 },
            ],
          },
          event: { type: 'blocklist', params: params() },
        },
        abuseRule('bad', 1, 5),
      ]),
    );
    expect(errors.map((error) => `${error.file} ${error.path}`)).toEqual([
      'blocklist.json /rules/0/conditions/all/0/fact',
      'blocklist.json /rules/0/conditions/all/1/operator',
      'blocklist.json /rules/0/conditions/all/2/params/hours',
      'blocklist.json /rules/0/conditions/all/3/params/flag',
      'blocklist.json /rules/1/name',
    ]);
  });

  it('when the event has no named reviewer or an unknown period, then the schema refuses it', () => {
    const result = blocklistFileSchema.safeParse({
      stage: 'blocklist',
      rules: [
        {
          ...abuseRule('r', 1, 5),
          event: { type: 'blocklist', params: { ...params(), reviewer: 'wang', period: 'year' } },
        },
      ],
    });
    expect(result.success ? [] : result.error.issues.map((issue) => issue.path.join('/'))).toEqual([
      'rules/0/event/params/period',
      'rules/0/event/params/reviewer',
    ]);
  });
});

describe('the blocklist stage: evaluation', () => {
  const history = [1, 2, 3, 4].map((hoursAgo) => entry(`e-${hoursAgo}`, hoursAgo, { tags: ['abuse'] }));
  const now = complaint.receivedAt;

  it('when several rules fire, then the highest priority lists, with the deadlines its params give from now', async () => {
    const outcome = await evaluateBlocklistStage(
      stage([
        abuseRule('gentle', 10, 3, params({ period: 'day', confirmWithinHours: 2 })),
        abuseRule(
          'strict',
          90,
          5,
          params({ period: 'month', reviewer: 'admin:ada', confirmWithinHours: 0.5 }),
        ),
        abuseRule('never', 100, 50),
      ]),
      {
        complaint,
        decision: { ...decision, tags: ['abuse'], flags: [] },
        history: [...history, entry('c-now', 0, { tags: ['abuse'] })],
      },
      now,
    );
    expect(outcome.fired.map((rule) => rule.rule)).toEqual(['strict', 'gentle']);
    expect(outcome.trace.map((rule) => [rule.rule, rule.fired])).toEqual([
      ['never', false],
      ['strict', true],
      ['gentle', true],
    ]);
    expect(listingOf(outcome, now)).toEqual({
      owner: 'rule:strict',
      rule: 'strict',
      period: 'month',
      reviewer: 'admin:ada',
      reason: 'abuse',
      until: new Date(now.getTime() + 30 * 24 * HOUR),
      confirmBy: new Date(now.getTime() + 0.5 * HOUR),
    });
  });

  it("when the complaint's own decision facts are used, then they decide together with the window", async () => {
    const file = stage([
      {
        name: 'abusive-vip-excluded',
        conditions: {
          all: [
            { fact: 'flags', operator: 'contains', value: 'abusive-caller' },
            { fact: 'customerTier', operator: 'notIn', value: ['vip'] },
            { fact: 'complaintsWithin', operator: 'greaterThanInclusive', value: 2 },
          ],
        },
        event: { type: 'blocklist', params: params() },
      },
    ]);
    const input = { complaint, history, decision: { ...decision, tags: [], flags: ['abusive-caller'] } };
    expect((await evaluateBlocklistStage(file, input, now)).fired).toHaveLength(1);
    const vip = { ...input, complaint: { ...complaint, customer: { id: 'cust-1', tier: 'vip' } } };
    expect((await evaluateBlocklistStage(file, vip, now)).fired).toHaveLength(0);
    expect(listingOf({ fired: [], trace: [] }, now)).toBeUndefined();
  });
});
