import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from '../support/browser';
import { buildTriagedComplaint } from '../../services/router/test/builders/ticket-builders';
import { hourBucket } from '../../services/router/src/domain/complaint-rates';
import { routeBurst, runRateCount, seedRateHistory } from '../router/support/complaint-rates';
import { buildComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

/**
 * The supervisor dashboard as a person sees it: headless Chromium (tests/support/browser.ts says
 * which one) against a real stack. It never skips.
 */
const admin = `Bearer ${testKeys.admin}`;
const kpiLabels = [
  'received',
  'open backlog',
  'resolved',
  '1st response SLA',
  'resolution SLA',
  'median 1st response',
  'escalation rate',
  'transfer rate',
  'reopen rate',
  'promises kept',
  'CSAT (4–5)',
  'first-contact resolution',
];

// The page functions below run in the browser. These are the few DOM members they use, declared
// for this file only so the repository's program keeps its Node-only lib.
interface PageElement {
  textContent: string | null;
  classList: { contains(name: string): boolean };
}
declare const document: { querySelector(selector: string): PageElement | null };
declare const localStorage: { getItem(name: string): string | null };

describe('supervisor dashboard in a headless browser', () => {
  let stack: TestStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page of its own (own localStorage), so no test sees another's key. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // A missing element fails within the test's own time, naming the selector.
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Signs in through the page's form (the key becomes a session cookie) and waits for the board. */
  async function openBoard(): Promise<Page> {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/dashboard`);
    await page.locator('#key').fill(testKeys.admin);
    await page.locator('#save').click();
    await page.waitForSelector('tr[data-queue] td.depth');
    return page;
  }

  const depthOf = (page: Page, queue: string) =>
    page.locator(`tr[data-queue="${queue}"] td.depth`).textContent().then(Number);
  const receivedTile = (page: Page) => page.locator('[data-kpi="received"] .v').textContent().then(Number);

  beforeAll(async () => {
    stack = await startTestStack('dashboard');
    await request(stack.router.url)
      .put('/v1/agents/agent-1')
      .set('Authorization', admin)
      .send({ name: 'Li Na', skills: ['general', 'zh'], capacity: 5 })
      .expect(201);
    // launch() gives the browser a fresh temporary --user-data-dir, removed again by close().
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.stop();
  });

  it('when a supervisor signs in to the dashboard with the admin key, then it shows the header, KPI tiles, one row per queue and the charts, and no key is in the address', async () => {
    const page = await openBoard();

    expect(await page.title()).toBe('triage — supervisor dashboard');
    expect(await page.locator('header h1').textContent()).toBe('triage · supervisor dashboard');
    await page.waitForFunction(() =>
      /^updated .* refreshes every 5 s$/.test(document.querySelector('#status')?.textContent ?? ''),
    );
    expect(page.url()).toBe(`${stack.router.url}/dashboard`);
    expect(await page.locator('#login').isHidden()).toBe(true);

    expect(await page.locator('[data-kpi] .l').allTextContents()).toEqual(kpiLabels);
    const report = await request(stack.router.url).get('/v1/reports').set('Authorization', admin).expect(200);
    expect(await receivedTile(page)).toBe(report.body.totals.received);

    const configured = await request(stack.router.url)
      .get('/v1/queues')
      .set('Authorization', admin)
      .expect(200);
    const queues = configured.body.queues as Array<{ id: string; name: string }>;
    const rows = page.locator('#queues tr[data-queue]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-queue')))).toEqual(
      queues.map((queue) => queue.id),
    );
    expect(await page.locator('tr[data-queue="cn-service"] td').first().textContent()).toBe('中文客服');
    expect(await page.locator('#depthChart rect.bar').count()).toBe(queues.length);
    // No complaint-rate spike yet: no banner.
    expect(await page.locator('#rateAlerts').isHidden()).toBe(true);
  });

  it('when Chinese complaints are routed, then the auto-refresh shows the cn-service depth grow by exactly that many, the received tile change and their SLA countdowns', async () => {
    const page = await openBoard();
    const depthBefore = await depthOf(page, 'cn-service');
    const receivedBefore = await receivedTile(page);

    const routed = watchCompletedJobs(stack.router.routeWorker);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const accepted = await request(stack.intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send(buildComplaint())
        .expect(202);
      ids.push(accepted.body.id);
    }
    await Promise.all(ids.map((id) => routed.waitFor(id)));
    routed.stop();
    for (const id of ids) {
      const stored = await request(stack.intake.url)
        .get(`/v1/complaints/${id}`)
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .expect(200);
      expect(stored.body).toMatchObject({ status: 'queued', decision: { queue: 'cn-service' } });
    }

    // No reload: the page's own 5 s refresh has to pick the new tickets up.
    await page.waitForFunction(
      ({ depth, received }) =>
        document.querySelector('tr[data-queue="cn-service"] td.depth')?.textContent === String(depth) &&
        document.querySelector('[data-kpi="received"] .v')?.textContent === String(received),
      { depth: depthBefore + ids.length, received: receivedBefore + ids.length },
      { timeout: 15_000 },
    );
    expect(await page.locator('#depthChart text[data-value="cn-service"]').textContent()).toBe(
      String(depthBefore + ids.length),
    );
    const countdowns = await page
      .locator('#countdowns tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(countdowns).toHaveLength(ids.length);
    for (const id of ids) {
      expect(countdowns).toContainEqual([
        id.slice(0, 8),
        'cn-service',
        expect.any(String),
        expect.stringMatching(/^(\d+h )?\d+m \d+s$/),
      ]);
    }

    await page.screenshot({ path: '/tmp/dashboard.png', fullPage: true });
  }, 30_000);

  it('when the complaint rate of a product spikes against its last four weeks, then a banner lists the open alerts', async () => {
    const page = await openBoard();
    expect(await page.locator('#rateAlerts').isHidden()).toBe(true);

    const now = new Date();
    const hour = hourBucket(now);
    await seedRateHistory(stack.router, hour);
    await routeBurst(stack.router, now, { chinese: 6, english: 6 });
    const counted = await runRateCount(stack.router, now);
    const productAlert = `complaint-rate|${hour.key}|product|credit-card`;
    expect(counted.raised).toContain(productAlert);
    const open = await request(stack.router.url)
      .get('/v1/reports/alerts')
      .set('Authorization', admin)
      .expect(200);

    // The page's own 5 s refresh has to show it.
    await page
      .locator(`#rateAlerts li[data-alert="${productAlert}"]`)
      .waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#rateAlerts h2').textContent()).toBe('Complaint spike');
    expect(
      await page
        .locator('#rateAlerts li')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alert'))),
    ).toEqual(open.body.alerts.map((alert: { id: string }) => alert.id));
    expect(await page.locator(`#rateAlerts li[data-alert="${productAlert}"]`).textContent()).toBe(
      `product · credit-card: 12 complaints this hour (${hour.start.toISOString().slice(11, 13)}:00 UTC), usually 2.5 (spike above 4.232)`,
    );
    await page.screenshot({ path: '/tmp/dashboard-rate-alerts.png', fullPage: true });
  }, 30_000);

  it('when the dashboard is opened without a key, then it shows the login form and not the board', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/dashboard`);

    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.locator('#status').textContent()).toBe('sign in');
    expect(await page.locator('#loginError').textContent()).toBe('');
  });

  it('when a wrong key is typed into the login form, then the key is refused, forgotten, and the form is shown again saying why', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/dashboard`);
    await page.locator('#key').fill('not-a-real-key');

    const reloaded = page.waitForEvent('load');
    await page.locator('#save').click();
    await reloaded;

    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.locator('#loginError').textContent()).toBe('The key was refused (401).');
    expect(await page.evaluate(() => localStorage.getItem('triageAdminKey'))).toBeNull();
  });

  it('when an agent key is typed into the dashboard, then it does not open the board and points to the agent workspace', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/dashboard`);
    await page.locator('#key').fill(testKeys.agent('agent-1'));

    const reloaded = page.waitForEvent('load');
    await page.locator('#save').click();
    await reloaded;

    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.locator('#loginError').textContent()).toBe(
      'This is an agent key: the agent workspace is at /agent.',
    );
  });

  it('when an admin opens bull-board without a session, then the sign-in page takes the key and brings them back to bull-board', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/admin/queues`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${stack.router.url}/dashboard?next=admin-queues`);

    await page.locator('#key').fill(testKeys.admin);
    const back = page.waitForURL(`${stack.router.url}/admin/queues`);
    await page.locator('#save').click();
    await back;
    await page.waitForSelector('#root');
    expect(page.url()).not.toContain(testKeys.admin);
  });

  it('when a key comes in the address, then it is not used, it is dropped from the address and the login form is shown', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/dashboard?key=${encodeURIComponent(testKeys.admin)}`);

    await page.waitForFunction(
      () => document.querySelector('#login')?.classList.contains('hidden') === false,
    );
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('triageAdminKey'))).toBeNull();
    expect(page.url()).toBe(`${stack.router.url}/dashboard`);
    expect(await page.context().cookies()).toEqual([]);
  });

  it('when a supervisor signs in, then the session is an HttpOnly, SameSite=Strict cookie and the key is kept nowhere in the page', async () => {
    const page = await openBoard();
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'triage_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toContain(testKeys.admin);
    expect(await page.evaluate(() => localStorage.getItem('triageAdminKey'))).toBeNull();
  });

  it('when agents resolved tickets with QA scores and survey answers, then the ranking shows each part and the composite as the API computes it', async () => {
    const now = Date.now();
    const resolved = (agentId: string, qa: number, csat: number) => {
      const doc = buildTriagedComplaint({ receivedAt: new Date(now - 3_600_000) });
      const resolvedAt = new Date(now - 1_800_000);
      return {
        ...doc,
        status: 'resolved' as const,
        ticket: {
          queue: 'general',
          priorityScore: 50,
          dueAt: doc.decision!.resolutionDueAt,
          agentId,
          acknowledgedAt: new Date(now - 3_000_000),
          resolvedAt,
        },
        qa: { score: qa },
        csat: { score: csat, at: resolvedAt, round: 0, via: 'api' },
        events: [{ type: 'resolved', at: resolvedAt, actor: `agent:${agentId}` }],
      };
    };
    await stack.router.tickets.model.insertMany([
      resolved('rank-ann', 92, 5),
      resolved('rank-ann', 88, 4),
      resolved('rank-bo', 55, 2),
    ]);
    const report = await request(stack.router.url).get('/v1/reports').set('Authorization', admin).expect(200);
    const ann = report.body.byAgent.find((agent: { id: string }) => agent.id === 'rank-ann');
    const bo = report.body.byAgent.find((agent: { id: string }) => agent.id === 'rank-bo');
    expect(ann.composite.parts).toMatchObject({ qa: 90, csat: 100 });
    expect(ann.rank).toBeLessThan(bo.rank);

    const page = await openBoard();
    const row = page.locator('tr[data-agent="rank-ann"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[2]).toBe(String(ann.composite.score));
    expect(cells[3]).toBe('90');
    expect(cells[4]).toBe('100.0 %');
    const order = await page
      .locator('#agents tr[data-agent]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-agent')));
    expect(order.indexOf('rank-ann')).toBeLessThan(order.indexOf('rank-bo'));
    await page.screenshot({ path: '/tmp/dashboard-ranking.png', fullPage: true });
  });
});
