import type { ComplaintRatesFile } from '@triage/rules';
import type { RateAlert } from '../src/domain/complaint-rate-ports';
import { complaintRateReport } from '../src/domain/complaint-rate-report';
import { countComplaints, dayBucket, hourBucket, type RatedComplaint } from '../src/domain/complaint-rates';
import { monitorComplaintRates, rateAlertNotifyId } from '../src/domain/monitor-complaint-rates';
import type { NotifyRequest } from '../src/domain/ports';
import { recordingLogger } from './fakes/fake-desk';
import { FakeAlertStore, FakeRateStore } from './fakes/fake-rate-stores';

const NOW = new Date('2026-12-03T09:40:00Z');
const WEEK = 7 * 86_400_000;
const settings: ComplaintRatesFile = {
  alertOn: ['product', 'category', 'queue', 'source'],
  minHistoryWeeks: 2,
  hour: { minCount: 5, deviations: 3, ratio: 3 },
  day: { minCount: 50, deviations: 3, ratio: 2 },
  notify: { url: 'https://ops.example/hooks/rates' },
};
const card: RatedComplaint = { product: 'credit-card', category: 'billing', queue: 'billing', source: 'api' };

function setUp(overrides: Partial<ComplaintRatesFile> = {}) {
  const rates = new FakeRateStore();
  const alerts = new FakeAlertStore();
  const notified: NotifyRequest[] = [];
  const raised: RateAlert[] = [];
  const { logger, warnings } = recordingLogger();
  const deps = {
    rates,
    alerts,
    settings: () => ({ ...settings, ...overrides }),
    notify: async (request: NotifyRequest) => {
      notified.push(request);
    },
    onRaised: (alert: RateAlert) => raised.push(alert),
    logger,
  };
  // Four earlier Thursdays at 09:00: 2, 3, 2, 3 credit-card complaints.
  [2, 3, 2, 3].forEach((count, i) => {
    const hour = hourBucket(new Date(NOW.getTime() - (i + 1) * WEEK));
    void rates.saveCounts(
      countComplaints(
        hour,
        Array.from({ length: count }, () => card),
      ),
    );
  });
  return { rates, alerts, notified, raised, warnings, deps };
}

function burst(rates: FakeRateStore, count: number, complaint: RatedComplaint, at = NOW) {
  for (let i = 0; i < count; i += 1)
    rates.complaints.push({ ...complaint, receivedAt: new Date(at.getTime() - i * 1000) });
}

describe('monitoring complaint rates', () => {
  it('when a burst of credit-card complaints arrives in the hour, then the hour and day are counted and one alert per dimension value is raised and notified', async () => {
    const { rates, alerts, notified, raised, deps } = setUp();
    burst(rates, 9, card);
    burst(rates, 1, { ...card, product: 'mortgage' });

    const result = await monitorComplaintRates(deps, NOW);

    expect(result.counted).toEqual({
      'hour|2026-12-03T08Z': 0,
      'hour|2026-12-03T09Z': 10,
      'day|2026-12-03': 10,
    });
    expect(rates.counts.get('day|2026-12-03')?.series).toContainEqual({
      dimension: 'product',
      value: 'credit-card',
      count: 9,
    });
    // billing category, billing queue and api source also had 2–3 a week, now 10.
    expect([...alerts.alerts.keys()].sort()).toEqual([
      'complaint-rate|hour|2026-12-03T09Z|category|billing',
      'complaint-rate|hour|2026-12-03T09Z|product|credit-card',
      'complaint-rate|hour|2026-12-03T09Z|queue|billing',
      'complaint-rate|hour|2026-12-03T09Z|source|api',
    ]);
    expect(alerts.alerts.get('complaint-rate|hour|2026-12-03T09Z|product|credit-card')).toMatchObject({
      period: 'hour',
      count: 9,
      baseline: { weeks: 4, mean: 2.5, sd: 0.577 },
      limit: 4.232,
      openUntil: new Date('2026-12-03T11:00:00Z'),
    });
    expect(result.raised).toHaveLength(4);
    expect(raised.map((alert) => alert.dimension).sort()).toEqual(['category', 'product', 'queue', 'source']);
    expect(notified.find((n) => n.payload.dimension === 'product')).toEqual({
      id: rateAlertNotifyId('complaint-rate|hour|2026-12-03T09Z|product|credit-card'),
      complaintId: 'complaint-rate|hour|2026-12-03T09Z|product|credit-card',
      url: 'https://ops.example/hooks/rates',
      payload: {
        type: 'complaint-rate-spike',
        alertId: 'complaint-rate|hour|2026-12-03T09Z|product|credit-card',
        period: 'hour',
        bucketStart: '2026-12-03T09:00:00.000Z',
        dimension: 'product',
        value: 'credit-card',
        count: 9,
        baseline: { weeks: 4, mean: 2.5, sd: 0.577 },
        limit: 4.232,
      },
    });
  });

  it('when the count runs twice, then the counts are the same, no alert is raised again and the notifications keep their ids', async () => {
    const { rates, alerts, notified, raised, deps } = setUp();
    burst(rates, 9, card);
    await monitorComplaintRates(deps, NOW);
    const first = structuredClone([...rates.counts.entries()]);

    const again = await monitorComplaintRates(deps, NOW);

    expect(again.raised).toEqual([]);
    expect(again.spikes).toBe(4);
    expect([...rates.counts.entries()]).toEqual(first);
    expect(alerts.alerts.size).toBe(4);
    expect(raised).toHaveLength(4);
    expect(new Set(notified.map((n) => n.id)).size).toBe(4);
  });

  it('when the hour has fewer than minCount complaints or too little history, then nothing is raised', async () => {
    const quiet = setUp();
    burst(quiet.rates, 4, card);
    expect((await monitorComplaintRates(quiet.deps, NOW)).raised).toEqual([]);

    const young = setUp({ minHistoryWeeks: 4 });
    young.rates.counts.delete('hour|2026-11-05T09Z');
    burst(young.rates, 20, card);
    expect((await monitorComplaintRates(young.deps, NOW)).raised).toEqual([]);
  });

  it('when a dimension is not in alertOn or no notify URL is set, then it is counted but not alerted, and nothing is posted', async () => {
    const { rates, alerts, notified, deps } = setUp({ alertOn: ['product'], notify: undefined });
    burst(rates, 9, card);
    await monitorComplaintRates(deps, NOW);
    expect([...alerts.alerts.keys()]).toEqual(['complaint-rate|hour|2026-12-03T09Z|product|credit-card']);
    expect(notified).toEqual([]);
    expect(rates.counts.get('hour|2026-12-03T09Z')?.series).toContainEqual({
      dimension: 'source',
      value: 'api',
      count: 9,
    });
  });

  it('when the day so far is far above the same weekday of the last four weeks, then a day alert is raised, open until an hour after the day ends', async () => {
    const { rates, alerts, deps } = setUp();
    [20, 22, 20, 22].forEach((count, i) => {
      const day = dayBucket(new Date(NOW.getTime() - (i + 1) * WEEK));
      void rates.saveCounts(
        countComplaints(
          day,
          Array.from({ length: count }, () => card),
        ),
      );
    });
    // 60 today: 40 in an earlier hour (counted by an earlier run), 20 now.
    const earlier = hourBucket(new Date('2026-12-03T03:10:00Z'));
    burst(rates, 40, card, new Date('2026-12-03T03:10:00Z'));
    await rates.saveCounts(
      countComplaints(earlier, await rates.routedComplaints(earlier.start, earlier.end)),
    );
    burst(rates, 20, card);

    const result = await monitorComplaintRates(deps, NOW);

    expect(result.counted['day|2026-12-03']).toBe(60);
    expect(alerts.alerts.get('complaint-rate|day|2026-12-03|product|credit-card')).toMatchObject({
      period: 'day',
      count: 60,
      baseline: { weeks: 4, mean: 21, sd: 1.155 },
      limit: 24.464,
      openUntil: new Date('2026-12-04T01:00:00Z'),
    });
  });

  it('when the report is asked for, then each dimension lists its values with hour and day counts, baselines and spikes', async () => {
    const { rates, deps } = setUp();
    burst(rates, 9, card);
    await monitorComplaintRates(deps, NOW);

    const report = await complaintRateReport(rates, settings, NOW);

    expect(report.hour).toEqual({
      start: new Date('2026-12-03T09:00:00Z'),
      end: new Date('2026-12-03T10:00:00Z'),
      counted: true,
    });
    expect(report.dimensions.product).toEqual([
      {
        value: 'credit-card',
        hour: {
          count: 9,
          baseline: { weeks: 4, mean: 2.5, sd: 0.577, counts: [2, 3, 2, 3] },
          limit: 4.232,
          spike: true,
        },
        // No day was counted in the earlier weeks (only their 09:00 hours were seeded).
        day: { count: 9, baseline: { weeks: 0, mean: 0, sd: 0, counts: [] }, limit: null, spike: false },
      },
    ]);
    expect(report.dimensions.total[0]).toMatchObject({ value: 'all', hour: { count: 9 } });
  });
});
