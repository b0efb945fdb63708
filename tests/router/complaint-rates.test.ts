import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyWebhookSignature } from '@triage/shared/http';
import request from 'supertest';
import { countComplaints, hourBucket } from '../../services/router/src/domain/complaint-rates';
import { rateAlertNotifyId } from '../../services/router/src/domain/monitor-complaint-rates';
import type { RunningRouter } from '../../services/router/src/service';
import { watchJobs } from './support/job-events';
import { routeBurst, rulesWithRateSettings, runRateCount, seedRateHistory } from './support/complaint-rates';
import { adminKey, agentKey, routerEnv, startTestRouter } from './support/router-harness';
import { startWebhookReceiver } from './support/webhook-receiver';

const SECRET = 'rate-test-notify-secret';
const crmKey = 'rate-test-crm-key';
const supervisorKey = 'rate-test-supervisor-key';
const admin = `Bearer ${adminKey}`;

/** What the burst must raise: every series of the hour went from 1–3 a week to 6 or 12. */
const expectedAlerts = (hourKey: string) =>
  [
    'category|billing',
    'product|credit-card',
    'queue|billing',
    'queue|cn-service',
    'source|api',
    'source|generic-crm',
  ].map((series) => `complaint-rate|${hourKey}|${series}`);

describe('complaint-rate monitoring on real MongoDB and Redis', () => {
  let router: RunningRouter;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rules: Awaited<ReturnType<typeof rulesWithRateSettings>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    rules = await rulesWithRateSettings({
      minHistoryWeeks: 2,
      hour: { minCount: 5, deviations: 3, ratio: 3 },
      notify: { url: receiver.url },
    });
    router = await startTestRouter(
      routerEnv('complaint-rates', ['agent-1'], {
        RULES_DIR: rules.dir,
        NOTIFY_WEBHOOK_SECRET: SECRET,
        RATE_MONITOR_INTERVAL_MS: '0',
        API_KEYS: [
          `${adminKey}:admin:router-admin`,
          `${agentKey('agent-1')}:agent:agent-1`,
          `${crmKey}:crm:generic-crm`,
          `${supervisorKey}:supervisor:sue`,
        ].join(','),
      }),
    );
  });

  afterAll(async () => {
    await router?.stop();
    await receiver?.stop();
    await rules?.remove();
  });

  it('when four weeks of history are stored and a burst of Chinese and English complaints is routed this hour, then the counts, baselines, one alert per series, the metric and signed notifications follow, and a second run raises nothing again', async () => {
    const now = new Date();
    const hour = hourBucket(now);
    await seedRateHistory(router, hour);
    const ids = await routeBurst(router, now, { chinese: 6, english: 6 });
    const tickets = await router.tickets.model
      .find({ _id: { $in: ids } }, { status: 1, 'ticket.queue': 1 })
      .lean();
    expect(tickets.map((t) => t.status)).toEqual(ids.map(() => 'queued'));

    const notifications = watchJobs(router.notifyWorker);
    const first = await runRateCount(router, now);
    expect(first.counted[hour.key]).toBe(12);
    expect([...first.raised].sort()).toEqual(expectedAlerts(hour.key));

    const rates = await request(router.url)
      .get('/v1/reports/complaint-rates')
      .query({ at: now.toISOString() })
      .set('Authorization', `Bearer ${supervisorKey}`)
      .expect(200);
    expect(rates.body.hour).toEqual({
      start: hour.start.toISOString(),
      end: hour.end.toISOString(),
      counted: true,
    });
    const point = (dimension: string, value: string) =>
      (rates.body.dimensions[dimension] as Array<{ value: string; hour: unknown; day: unknown }>).find(
        (series) => series.value === value,
      );
    expect(point('total', 'all')?.hour).toEqual({
      count: 12,
      baseline: { weeks: 4, mean: 2.5, sd: 0.577, counts: [2, 3, 2, 3] },
      limit: 4.232,
      spike: true,
    });
    expect(point('product', 'credit-card')?.hour).toMatchObject({ count: 12, spike: true });
    expect(point('category', 'billing')?.hour).toMatchObject({ count: 12, spike: true });
    expect(point('queue', 'cn-service')?.hour).toEqual({
      count: 6,
      baseline: { weeks: 4, mean: 1, sd: 0, counts: [1, 1, 1, 1] },
      limit: 3,
      spike: true,
    });
    expect(point('queue', 'billing')?.hour).toMatchObject({
      count: 6,
      baseline: { mean: 1.5, sd: 0.577 },
      spike: true,
    });
    expect(point('source', 'generic-crm')?.hour).toMatchObject({ count: 6, spike: true });
    expect(point('source', 'api')?.hour).toMatchObject({ count: 6, spike: true });
    // The day so far holds the burst; no earlier day was counted, so it cannot spike yet.
    expect(point('product', 'credit-card')?.day).toEqual({
      count: 12,
      baseline: { weeks: 0, mean: 0, sd: 0, counts: [] },
      limit: null,
      spike: false,
    });

    const alerts = await request(router.url)
      .get('/v1/reports/alerts')
      .set('Authorization', admin)
      .expect(200);
    expect(alerts.body.alerts.map((alert: { id: string }) => alert.id).sort()).toEqual(
      expectedAlerts(hour.key),
    );
    expect(alerts.body.alerts.find((a: { dimension: string }) => a.dimension === 'product')).toMatchObject({
      kind: 'complaint-rate-spike',
      period: 'hour',
      bucketStart: hour.start.toISOString(),
      value: 'credit-card',
      count: 12,
      limit: 4.232,
      openUntil: new Date(hour.end.getTime() + 3_600_000).toISOString(),
    });

    await receiver.accepted(6);
    for (const id of expectedAlerts(hour.key))
      await notifications.waitFor((job) => job.data.complaintId === id, 15_000, `the notification of ${id}`);
    notifications.stop();
    expect(receiver.received).toHaveLength(6);
    for (const item of receiver.received)
      expect(
        verifyWebhookSignature({ header: item.signature, rawBody: item.rawBody, secrets: [SECRET] }),
      ).toMatchObject({
        ok: true,
      });
    expect(receiver.received.map((item) => item.body.alertId).sort()).toEqual(expectedAlerts(hour.key));
    expect(
      receiver.received.find((item) => item.body.dimension === 'queue' && item.body.value === 'cn-service')
        ?.body,
    ).toEqual({
      type: 'complaint-rate-spike',
      alertId: `complaint-rate|${hour.key}|queue|cn-service`,
      period: 'hour',
      bucketStart: hour.start.toISOString(),
      dimension: 'queue',
      value: 'cn-service',
      count: 6,
      baseline: { weeks: 4, mean: 1, sd: 0 },
      limit: 3,
    });

    // Again: the same counts, nothing raised, the notifications are the same six jobs.
    const second = await runRateCount(router, now);
    expect(second).toMatchObject({ counted: first.counted, spikes: first.spikes, raised: [] });
    const again = await request(router.url).get('/v1/reports/alerts').set('Authorization', admin).expect(200);
    expect(again.body.alerts).toHaveLength(6);
    const jobs = await Promise.all(
      expectedAlerts(hour.key).map((id) => router.timers.notifications.getJob(rateAlertNotifyId(id))),
    );
    expect(await Promise.all(jobs.map((job) => job?.getState()))).toEqual(jobs.map(() => 'completed'));
    expect(await router.timers.notifications.getCompletedCount()).toBe(6);

    const metrics = await request(router.url).get('/metrics').expect(200);
    for (const dimension of ['product', 'category'])
      expect(metrics.text).toMatch(
        new RegExp(
          `^triage_complaint_rate_alerts_total\\{period="hour",dimension="${dimension}",service="router"\\} 1$`,
          'm',
        ),
      );
    for (const dimension of ['queue', 'source'])
      expect(metrics.text).toMatch(
        new RegExp(
          `^triage_complaint_rate_alerts_total\\{period="hour",dimension="${dimension}",service="router"\\} 2$`,
          'm',
        ),
      );
    expect(metrics.text).toMatch(
      /^triage_complaint_rate_open_alerts\{period="hour",dimension="queue",service="router"\} 2$/m,
    );
  });

  it.each([
    ['an agent', `Bearer ${agentKey('agent-1')}`],
    ['a CRM', `Bearer ${crmKey}`],
  ])('when %s key asks for complaint rates or alerts, then it is 403', async (_who, authorization) => {
    for (const path of ['/v1/reports/complaint-rates', '/v1/reports/alerts']) {
      const res = await request(router.url).get(path).set('Authorization', authorization).expect(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('when the query is not understood, then it is 400 naming the parameter', async () => {
    const rates = await request(router.url)
      .get('/v1/reports/complaint-rates?at=yesterday')
      .set('Authorization', admin)
      .expect(400);
    expect(JSON.stringify(rates.body)).toContain('at');
    await request(router.url).get('/v1/reports/alerts?limit=0').set('Authorization', admin).expect(400);
    await request(router.url)
      .get('/v1/reports/alerts?dimension=product')
      .set('Authorization', admin)
      .expect(400);
  });
});

describe('the complaint-rate schedule across routers', () => {
  const routers: RunningRouter[] = [];
  afterAll(async () => {
    for (const router of routers) await router.stop();
  });

  it('when two routers start with RATE_MONITOR_INTERVAL_MS, then they share one job scheduler, so the count runs once per interval', async () => {
    const env = routerEnv('complaint-rates-schedule', [], { RATE_MONITOR_INTERVAL_MS: '3600000' });
    routers.push(await startTestRouter(env));
    routers.push(await startTestRouter(env));
    const schedulers = await routers[0]!.rateMonitor.queue.queue.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'complaint-rates-count', every: 3_600_000 })]);
  });
});

describe('rules/complaint-rates.json is reloaded while the router runs', () => {
  let router: RunningRouter;
  let rules: Awaited<ReturnType<typeof rulesWithRateSettings>>;
  const at = new Date('2026-11-05T09:30:00Z');
  const file = () => path.join(rules.dir, 'complaint-rates.json');
  const totalLimit = async () => {
    const res = await request(router.url)
      .get('/v1/reports/complaint-rates')
      .query({ at: at.toISOString() })
      .set('Authorization', admin)
      .expect(200);
    return res.body.dimensions.total[0].hour.limit as number;
  };

  beforeAll(async () => {
    rules = await rulesWithRateSettings({});
    router = await startTestRouter(
      routerEnv('complaint-rates-reload', [], {
        RULES_DIR: rules.dir,
        RULES_WATCH: 'true',
        RULES_WATCH_DEBOUNCE_MS: '50',
        RATE_MONITOR_INTERVAL_MS: '0',
      }),
    );
    // The hour and four earlier weeks with 2, 3, 2, 3 complaints: mean 2.5, sd 0.577.
    const hour = hourBucket(at);
    for (const [i, count] of [0, 2, 3, 2, 3].entries()) {
      const bucket = hourBucket(new Date(hour.start.getTime() - i * 7 * 86_400_000));
      const complaints = Array.from({ length: count }, () => ({ product: 'loan', source: 'api' }));
      await router.rateMonitor.rates.saveCounts(countComplaints(bucket, complaints), new Date());
    }
  });
  afterAll(async () => {
    await router?.stop();
    await rules?.remove();
  });

  it('when an admin lowers the deviations, then the next report uses them; when the file is then broken, the last good thresholds stay', async () => {
    expect(await totalLimit()).toBe(4.232);
    const settings = JSON.parse(await readFile(file(), 'utf8')) as { hour: Record<string, number> };
    settings.hour.deviations = 1;
    const reloaded = once(router.rulesReloads, 'reloaded');
    await writeFile(file(), JSON.stringify(settings, null, 2));
    await reloaded;
    expect(await totalLimit()).toBe(3.077);

    settings.hour.minCount = 0;
    const rejected = once(router.rulesReloads, 'rejected');
    await writeFile(file(), JSON.stringify(settings, null, 2));
    const [errors] = (await rejected) as [string[]];
    expect(errors).toEqual([expect.stringMatching(/^rules\/complaint-rates\.json \/hour\/minCount: /)]);
    expect(await totalLimit()).toBe(3.077);
  });
});
