import type { ComplaintInput } from '@triage/shared/complaint';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from '../support/browser';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

/**
 * Issue #14, item 8: the agent workspace at /agent, used as an agent would in headless Chromium
 * (tests/support/browser.ts) against the real stack — intake, worker with the shipped rules,
 * router, MongoDB and Redis. Every step waits on the page or on a job event, never on a sleep.
 */
const admin = `Bearer ${testKeys.admin}`;
const screenshotPath = '/tmp/agent-workspace.png';
/** Short leases, so the page's heartbeats (a third of the lease left) come every few seconds. */
const leaseMs = 12_000;

/** A complaint whose text tries to run script in the page: it must show as text. */
const xssMarkup = '<img src=x onerror="window.__agentXss=1">';
const chineseComplaint = buildComplaint({
  customer: { id: 'c-1001', name: '王芳', tier: 'gold', phone: '13800138000' },
  channel: 'phone',
  subject: '信用卡年费被重复扣费',
  body: `我的信用卡年费被重复扣了两次，请尽快退款。${xssMarkup}`,
  language: 'zh-CN',
});
const englishComplaint = buildEnglishComplaint({
  customer: { id: 'c-2001', name: 'John Miller', tier: 'standard', email: 'john@example.com' },
  channel: 'email',
  subject: 'Double charged for my annual fee',
  body: 'I was double charged for my annual fee this month. Please refund the second charge.',
});

// The page functions below run in the browser. These are the few DOM members they use, declared
// for this file only so the repository's program keeps its Node-only lib.
interface PageElement {
  textContent: string | null;
  classList: { contains(name: string): boolean };
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
};
declare const window: { __agentXss?: unknown };

interface TicketResponse {
  ticket: {
    id: string;
    status: string;
    queue: string;
    category: string;
    severity: string;
    agentId: string | null;
    leaseExpiresAt: string | null;
    resolution: { code: string; summary?: string; finalAnswer: boolean; by: string } | null;
  };
  notes: Array<{ text: string; visibility: string; author: string }>;
  followUps: Array<{ id: string; note: string; status: string; createdBy: string }>;
  events: Array<{ type: string; actor?: string; data?: Record<string, unknown> }>;
}

describe('agent workspace in a headless browser', () => {
  let stack: TestStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const agentAuth = (agentId: string) => `Bearer ${testKeys.agent(agentId)}`;
  const ticketOf = async (id: string, agentId = 'agent-1'): Promise<TicketResponse> =>
    (
      await request(stack.router.url)
        .get(`/v1/tickets/${id}`)
        .set('Authorization', agentAuth(agentId))
        .expect(200)
    ).body as TicketResponse;

  /** Submits complaints through intake and waits until the router has queued each one. */
  async function submit(...complaints: ComplaintInput[]): Promise<string[]> {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const ids: string[] = [];
    for (const complaint of complaints) {
      const accepted = await request(stack.intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send(complaint)
        .expect(202);
      ids.push(accepted.body.id as string);
    }
    await Promise.all(ids.map((id) => routed.waitFor(id)));
    routed.stop();
    return ids;
  }

  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Signs in through the page's form and waits for the desk with the agent's name. */
  async function signIn(agentId: string, name: string): Promise<Page> {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/agent`);
    await page.locator('#key').fill(testKeys.agent(agentId));
    await page.locator('#signIn').click();
    await page.locator('#desk').waitFor({ state: 'visible' });
    await page.waitForFunction(
      (expected) => document.querySelector('#agentName')?.textContent === expected,
      `${name} (${agentId})`,
    );
    return page;
  }

  /** Clicks an action button and waits for the ticket to show `status` (or for an error). */
  async function clickAndWaitForStatus(page: Page, button: string, status: string): Promise<void> {
    await page.locator(button).click();
    await page.locator(`#tStatus[data-status="${status}"]`).waitFor();
  }

  beforeAll(async () => {
    stack = await startTestStack('agent-workspace', { LEASE_MS: String(leaseMs) });
    const agents = [
      { id: 'agent-1', name: 'Li Na', skills: ['zh', 'billing', 'general'] },
      { id: 'agent-2', name: 'Fred', skills: ['fraud'] },
      { id: 'agent-3', name: 'Zhou Min', skills: ['zh'] },
    ];
    for (const { id, ...agent } of agents) {
      await request(stack.router.url)
        .put(`/v1/agents/${id}`)
        .set('Authorization', admin)
        .send({ ...agent, capacity: 5 })
        .expect(201);
    }
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.stop();
  });

  it('when an agent works a Chinese and an English complaint in the page, then it shows the decision and why, the history, notes, the lifecycle and SLA countdowns, keeps the leases and stores every change', async () => {
    // An earlier complaint of 王芳's, answered by a colleague: her history in the page.
    const [earlier] = await submit(
      buildComplaint({
        customer: { id: 'c-1001', name: '王芳', tier: 'gold' },
        subject: '账单有误',
        body: '上个月的账单金额有误，多收了利息，请核实。',
      }),
    );
    await request(stack.router.url)
      .post('/v1/agents/agent-3/claim')
      .set('Authorization', agentAuth('agent-3'))
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${earlier}/resolve`)
      .set('Authorization', agentAuth('agent-3'))
      .send({ resolutionCode: 'explained', summary: '已解释利息计算', finalAnswer: false })
      .expect(200);

    const page = await signIn('agent-1', 'Li Na');
    expect(await page.title()).toBe('triage — 坐席工作台 agent workspace');
    expect(await page.locator('#noTickets').isVisible()).toBe(true);
    // Presence: offline and back, as the API stores it.
    await page.locator('#togglePresence').click();
    await page.waitForFunction(() => document.querySelector('#presence')?.textContent === '离线 offline');
    expect(
      (await request(stack.router.url).get('/v1/agents/agent-1').set('Authorization', admin)).body.agent,
    ).toMatchObject({ online: false });
    await page.locator('#togglePresence').click();
    await page.waitForFunction(() => document.querySelector('#presence')?.textContent === '在线 online');

    // Nothing waits yet: the page says so.
    await page.locator('#claimNext').click();
    await page.waitForFunction(
      () =>
        document.querySelector('#claimMessage')?.textContent ===
        '您的队列里没有等待的工单。 Nothing is waiting in your queues.',
    );

    const [chinese, english] = await submit(chineseComplaint, englishComplaint);
    if (!chinese || !english) throw new Error('complaints were not accepted');

    // Claim next twice: both tickets are held, listed with a ticking countdown.
    await page.locator('#claimNext').click();
    await page.locator('#ticket').waitFor({ state: 'visible' });
    await page.locator('#claimNext').click();
    await page.locator(`#myTickets li[data-ticket="${chinese}"]`).waitFor();
    await page.locator(`#myTickets li[data-ticket="${english}"]`).waitFor();
    const countdownSelector = `#myTickets li[data-ticket="${chinese}"] .countdown`;
    const firstCountdown = await page.locator(countdownSelector).textContent();
    expect(firstCountdown).toMatch(/^(\d+d )?(\d+h )?\d+m \d+s$/);
    await page.waitForFunction(
      ({ selector, before }) => document.querySelector(selector)?.textContent !== before,
      { selector: countdownSelector, before: firstCountdown },
    );
    const held = await request(stack.router.url)
      .get('/v1/agents/agent-1/tickets')
      .set('Authorization', agentAuth('agent-1'))
      .expect(200);
    expect((held.body.tickets as Array<{ id: string }>).map((ticket) => ticket.id).sort()).toEqual(
      [chinese, english].sort(),
    );

    // Open the Chinese ticket: the complaint as text, the decision, the why in words, the history.
    await page.locator(`#myTickets li[data-ticket="${chinese}"]`).click();
    await page.locator(`#ticket[data-ticket="${chinese}"]`).waitFor();
    await page.locator('#reasons li[data-rule="route/chinese-service"]').waitFor();
    expect(await page.locator('#tSubject').textContent()).toBe('信用卡年费被重复扣费');
    expect(await page.locator('#tBody').textContent()).toBe(chineseComplaint.body);
    expect(await page.locator('#ticket img').count()).toBe(0);
    expect(await page.evaluate(() => window.__agentXss)).toBeUndefined();
    expect(await page.locator('#tCustomer').textContent()).toBe('王芳 · c-1001 · gold · 13800138000');
    expect(await page.locator('#tChannel').textContent()).toBe('phone');
    const view = await ticketOf(chinese);
    expect(view.ticket).toMatchObject({
      queue: 'cn-service',
      category: 'billing',
      status: 'claimed',
      agentId: 'agent-1',
    });
    expect(await page.locator('#dCategory').textContent()).toBe('billing');
    expect(await page.locator('#dSeverity').textContent()).toBe(view.ticket.severity);
    expect(await page.locator('#dQueue').textContent()).toBe('cn-service');
    const decision = await request(stack.router.url)
      .get(`/v1/tickets/${chinese}/decision`)
      .set('Authorization', agentAuth('agent-1'))
      .expect(200);
    const sentences = (decision.body.reasons as Array<{ sentence: string }>).map((reason) => reason.sentence);
    expect(await page.locator('#reasons li').allTextContents()).toEqual(sentences);
    expect(sentences).toContain(
      'Rule classify/billing-and-fees fired because the text contains "扣费", "退款": category billing.',
    );
    expect(sentences).toContain(
      'Rule route/chinese-service fired because the language matches /^zh/ and the text matches /\\p{Script=Han}/u: queue cn-service; skills zh.',
    );
    await page.locator(`#history li[data-complaint="${earlier}"] .outcome`).waitFor();
    expect(await page.locator(`#history li[data-complaint="${earlier}"] .outcome`).textContent()).toBe(
      'general → explained',
    );
    expect(await page.locator('#history li').count()).toBe(1);

    // Notes, internal and for the customer.
    await page.locator('#noteText').fill('客户来电确认重复扣费 — internal check of the card statement');
    await page.locator('#noteVisibility').selectOption('internal');
    await page.locator('#addNote').click();
    await page.locator('#notes li[data-visibility="internal"]').waitFor();
    await page
      .locator('#noteText')
      .fill('We are refunding the duplicate annual fee. 我们正在退还重复扣取的年费。');
    await page.locator('#noteVisibility').selectOption('customer');
    await page.locator('#addNote').click();
    await page.locator('#notes li[data-visibility="customer"]').waitFor();
    expect(await page.locator('#notes li .text').allTextContents()).toEqual([
      '客户来电确认重复扣费 — internal check of the card statement',
      'We are refunding the duplicate annual fee. 我们正在退还重复扣取的年费。',
    ]);
    expect((await ticketOf(chinese)).notes).toEqual([
      expect.objectContaining({
        visibility: 'internal',
        author: 'agent:agent-1',
        text: '客户来电确认重复扣费 — internal check of the card statement',
      }),
      expect.objectContaining({ visibility: 'customer', author: 'agent:agent-1' }),
    ]);

    // Follow-ups: a promise in business minutes, one at a time, one refused (in the past), one kept.
    await page.locator('#followUpMinutes').fill('60');
    await page.locator('#followUpNote').fill('回电确认退款 call back to confirm the refund');
    await page.locator('#addFollowUp').click();
    await page.locator('#followUps li[data-status="pending"]').waitFor();
    await page.locator('#followUpDue').fill('2020-01-02T10:00');
    await page.locator('#followUpNote').fill('too late');
    await page.locator('#addFollowUp').click();
    await page.locator('#followUpMessage.error').waitFor();
    expect(await page.locator('#followUpMessage').textContent()).toMatch(
      /^A follow-up is due in the future, at most 90 days ahead\./,
    );
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = (n: number) => String(n).padStart(2, '0');
    await page
      .locator('#followUpDue')
      .fill(`${tomorrow.getFullYear()}-${local(tomorrow.getMonth() + 1)}-${local(tomorrow.getDate())}T10:30`);
    await page.locator('#followUpNote').fill('Send the refund confirmation letter');
    await page.locator('#addFollowUp').click();
    await page.waitForFunction(
      () => document.querySelectorAll('#followUps li[data-status="pending"]').length === 2,
    );
    const promised = (await ticketOf(chinese)).followUps;
    expect(promised).toEqual([
      expect.objectContaining({
        note: '回电确认退款 call back to confirm the refund',
        status: 'pending',
        createdBy: 'agent:agent-1',
      }),
      expect.objectContaining({
        note: 'Send the refund confirmation letter',
        status: 'pending',
        createdBy: 'agent:agent-1',
      }),
    ]);
    expect(await page.locator('#followUps li .text').allTextContents()).toEqual([
      '回电确认退款 call back to confirm the refund',
      'Send the refund confirmation letter',
    ]);
    await page.locator(`#followUps li[data-follow-up="${promised[0]!.id}"] button.done`).click();
    await page.locator(`#followUps li[data-follow-up="${promised[0]!.id}"][data-status="kept"]`).waitFor();
    expect((await ticketOf(chinese)).followUps.map((followUp) => followUp.status)).toEqual([
      'kept',
      'pending',
    ]);

    // Heartbeats: the page renews the lease of every held ticket by itself.
    const leaseBefore = (await ticketOf(chinese)).ticket.leaseExpiresAt;
    await page.waitForResponse(
      (response) => response.url().endsWith(`/v1/tickets/${chinese}/heartbeat`) && response.status() === 200,
      { timeout: leaseMs },
    );
    const leaseAfter = (await ticketOf(chinese)).ticket.leaseExpiresAt;
    expect(new Date(leaseAfter ?? 0).getTime()).toBeGreaterThan(new Date(leaseBefore ?? 0).getTime());

    // Acknowledge, pause with a reason (the countdown stops), resume.
    await clickAndWaitForStatus(page, '#ack', 'in_progress');
    await page.locator('#actionReason').fill('等待客户提供账单截图 waiting for the statement');
    await clickAndWaitForStatus(page, '#pause', 'waiting_customer');
    expect(await page.locator('#tCountdown').textContent()).toBe('暂停 paused');
    await clickAndWaitForStatus(page, '#resume', 'in_progress');
    const worked = await ticketOf(chinese);
    expect(worked.events.find((event) => event.type === 'waiting-customer')?.data).toMatchObject({
      reason: '等待客户提供账单截图 waiting for the statement',
    });
    expect(worked.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['claimed', 'acknowledged', 'waiting-customer', 'resumed']),
    );

    // An overdue ticket is red: the English one's deadline moved into the past in the store.
    await stack.router.tickets.model.updateOne(
      { _id: english },
      { $set: { 'ticket.dueAt': new Date(Date.now() - 90_000) } },
    );
    await page.locator('#claimNext').click();
    await page.locator(`#myTickets li[data-ticket="${english}"] .countdown.overdue`).waitFor();
    expect(await page.locator(`#myTickets li[data-ticket="${english}"] .countdown`).textContent()).toMatch(
      /^逾期 overdue -\d+m \d+s$/,
    );

    await page.screenshot({ path: screenshotPath, fullPage: true });

    // Resolve with a code, a summary and as the final answer.
    await page.locator('#resolutionCode').selectOption('refunded');
    await page.locator('#resolveSummary').fill('重复年费已退还 duplicate fee refunded');
    await page.locator('#finalAnswer').check();
    await clickAndWaitForStatus(page, '#resolve', 'resolved');
    await page.locator(`#myTickets li[data-ticket="${chinese}"]`).waitFor({ state: 'detached' });
    const resolved = await ticketOf(chinese);
    expect(resolved.ticket).toMatchObject({
      status: 'resolved',
      resolution: {
        code: 'refunded',
        summary: '重复年费已退还 duplicate fee refunded',
        finalAnswer: true,
        by: 'agent:agent-1',
      },
    });

    // The English ticket: an API refusal is shown with its detail; then a transfer with a reason.
    await page.locator(`#myTickets li[data-ticket="${english}"]`).click();
    await page.locator(`#ticket[data-ticket="${english}"]`).waitFor();
    expect(await page.locator('#tBody').textContent()).toBe(englishComplaint.body);
    await page.locator('#transferQueue').selectOption('billing');
    await page.locator('#transfer').click();
    await page.locator('#actionMessage.error').waitFor();
    expect(await page.locator('#actionMessage').textContent()).toBe(
      `Ticket ${english} is already in queue billing.`,
    );
    await page.locator('#transferQueue').selectOption('general');
    await page.locator('#actionReason').fill('not a billing matter');
    await clickAndWaitForStatus(page, '#transfer', 'queued');
    const transferred = await ticketOf(english);
    expect(transferred.ticket).toMatchObject({ status: 'queued', queue: 'general', agentId: null });
    expect(transferred.events.find((event) => event.type === 'transferred')?.data).toMatchObject({
      from: 'billing',
      to: 'general',
      reason: 'not a billing matter',
    });
    await page.locator('#noTickets').waitFor({ state: 'visible' });
  }, 60_000);

  it('when an agent of another queue uses the page or the API, then they neither get nor see the ticket', async () => {
    const [ticket] = await submit(
      buildComplaint({
        customer: { id: 'c-1002', name: '李雷', tier: 'standard' },
        subject: '账单问题',
        body: '账单上有一笔不认识的年费，请解释。',
      }),
    );
    for (const path of [
      `/v1/tickets/${ticket}`,
      `/v1/tickets/${ticket}/decision`,
      `/v1/tickets/${ticket}/customer-history`,
    ]) {
      const refused = await request(stack.router.url)
        .get(path)
        .set('Authorization', agentAuth('agent-2'))
        .expect(404);
      expect(refused.body).not.toHaveProperty('ticket');
    }
    const page = await signIn('agent-2', 'Fred');
    await page.locator('#claimNext').click();
    await page.waitForFunction(
      () =>
        document.querySelector('#claimMessage')?.textContent ===
        '您的队列里没有等待的工单。 Nothing is waiting in your queues.',
    );
    expect(await page.locator('#myTickets li').count()).toBe(0);
    expect((await ticketOf(ticket!, 'agent-3')).ticket).toMatchObject({ status: 'queued', agentId: null });
  });

  it('when the page is hidden, then its heartbeats stop, the lease runs out and the ticket goes back to its queue; seen again, the page shows it gone', async () => {
    await submit(
      buildComplaint({
        customer: { id: 'c-1003', name: '韩梅梅', tier: 'silver' },
        subject: '账单疑问',
        body: '这个月的账单多了一笔手续费，请说明。',
      }),
    );
    const page = await signIn('agent-3', 'Zhou Min');
    await page.locator('#claimNext').click();
    // The best ticket waiting in cn-service (an earlier test may have left one there too).
    const ticket = await page.locator('#myTickets li').getAttribute('data-ticket');
    if (!ticket) throw new Error('nothing was claimed');
    await page.waitForResponse(
      (response) => response.url().endsWith(`/v1/tickets/${ticket}/heartbeat`) && response.status() === 200,
      { timeout: leaseMs },
    );

    const expired = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the lease did not expire')), 3 * leaseMs);
      const onCompleted = (job: { data: { complaintId: string } }, outcome: unknown) => {
        if (job.data.complaintId !== ticket || outcome !== 'expired') return;
        clearTimeout(timer);
        stack.router.leaseWorker.off('completed', onCompleted);
        resolve();
      };
      stack.router.leaseWorker.on('completed', onCompleted);
    });
    const heartbeatsWhileHidden: string[] = [];
    page.on('request', (sent) => {
      if (sent.url().endsWith('/heartbeat')) heartbeatsWhileHidden.push(sent.url());
    });
    // What the browser does when the tab goes to the background.
    await page.evaluate(
      "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); document.dispatchEvent(new Event('visibilitychange'));",
    );
    await page.locator('#heartbeatStatus[data-paused="true"]').waitFor();
    await expired;
    expect(heartbeatsWhileHidden).toEqual([]);
    expect((await ticketOf(ticket, 'agent-3')).ticket).toMatchObject({ status: 'queued', agentId: null });

    await page.evaluate(
      "Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }); document.dispatchEvent(new Event('visibilitychange'));",
    );
    await page.locator(`#myTickets li[data-ticket="${ticket}"]`).waitFor({ state: 'detached' });
    await page.locator('#noTickets').waitFor({ state: 'visible' });
  }, 60_000);

  it('when the page is signed into, then the key is kept nowhere, the session is an HttpOnly cookie, the CSP allows no inline script, and signing out shows the form again', async () => {
    const page = await signIn('agent-3', 'Zhou Min');
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'triage_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toContain(testKeys.agent('agent-3'));
    expect(page.url()).toBe(`${stack.router.url}/agent`);
    const served = await request(stack.router.url).get('/agent').expect(200);
    expect(served.headers['content-security-policy']).toContain("script-src 'self'");
    expect(served.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(served.text).not.toMatch(/<script>|\son\w+=/);

    await page.locator('#signOut').click();
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.context().cookies()).toEqual([]);
  });

  it('when a supervisor key or a wrong key is typed into the agent page, then it stays on the form and says why', async () => {
    const page = await freshPage();
    await page.goto(`${stack.router.url}/agent`);
    await page.locator('#key').fill('not-a-real-key');
    await page.locator('#signIn').click();
    await page.waitForFunction(
      () => document.querySelector('#loginError')?.textContent === '密钥被拒绝 The key was refused (401).',
    );
    await page.locator('#key').fill(testKeys.admin);
    await page.locator('#signIn').click();
    await page.waitForFunction(
      () =>
        document.querySelector('#loginError')?.textContent ===
        '这不是坐席密钥；主管请用 /dashboard。 This is not an agent key: supervisors use /dashboard.',
    );
    expect(await page.locator('#desk').isHidden()).toBe(true);
  });
});
