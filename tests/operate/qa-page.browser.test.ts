import type { ComplaintInput } from '@triage/shared/complaint';
import mongoose from 'mongoose';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { watchJobs } from '../router/support/job-events';
import { launchChromium } from '../support/browser';
import { addAllRoundAgent, assignAckResolve } from '../support/ticket-work';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

/**
 * Issue #13, item 8: the QA page at /qa, used as reviewers and a supervisor would in headless
 * Chromium against the real stack (intake, worker with the shipped rules and auto-QA, router,
 * MongoDB, Redis). The sampling plan draws no random share here, so only the targeted reasons
 * (a reopen, a low survey answer) open reviews. Every step waits on the page or on a job, never
 * on a sleep.
 */
const keys = {
  supervisor: 'qa-page-supervisor-wang',
  lin: 'qa-page-reviewer-lin',
  zhou: 'qa-page-reviewer-zhou',
};
const screenshots = { reviewer: '/tmp/qa-page.png', supervisor: '/tmp/qa-page-supervisor.png' };

/** Customer input that tries to run script in the page: it must show as text. */
const xssComplaint = buildComplaint({
  customer: { id: 'c-qa-1', name: '李雷<b onmouseover="window.__qaXss=1">', tier: 'gold' },
  subject: '信用卡被重复扣费 <img src=x onerror="window.__qaXss=2">',
  body: '我的信用卡本月被重复扣费两次，请尽快退款。<script>window.__qaXss=3</script>',
});
const apology = '非常抱歉给您带来不便，已为您退款。<img src=x onerror="window.__qaXss=4">';

// The page functions below run in the browser. These are the few DOM members they use, declared
// for this file only so the repository's program keeps its Node-only lib.
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
};
declare const window: { __qaXss?: unknown };
declare function getComputedStyle(node: unknown): { color: string };

interface AutoCriterion {
  criterion: string;
  result: string;
  points: number;
  maxPoints: number;
  fatal: boolean;
  by: string;
  reason: string;
}
interface ReviewDetail {
  review: { _id: string; status: string; score: number | null; reviewer: string | null };
  qa: { auto: AutoCriterion[] } | null;
  events: Array<{ type: string; at: string }>;
  manualCriteria: Array<{ id: string; points: number; name: { en: string; zh: string } }>;
}
interface AgentRow {
  id: string;
  rank: number;
  composite: { score: number | null; parts: Record<string, number | null>; weightCovered: number };
}

describe('QA page in a headless browser', () => {
  let stack: TestStack;
  let rulesDir: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const admin = as(testKeys.admin);
  const agent1 = as(testKeys.agent('agent-1'));

  beforeAll(async () => {
    rulesDir = await mkdtemp(path.join(os.tmpdir(), 'triage-qa-page-rules-'));
    await cp('rules', rulesDir, { recursive: true });
    const file = path.join(rulesDir, 'qa-sampling.json');
    const plan = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...plan, random: { percentPerAgentPerWeek: 0 } }));
    stack = await startTestStack('qa-page', {
      RULES_DIR: rulesDir,
      API_KEYS: [
        `${testKeys.crm}:crm:test-crm`,
        `${testKeys.admin}:admin:test-admin`,
        `${keys.supervisor}:supervisor:wang`,
        `${keys.lin}:qa:lin`,
        `${keys.zhou}:qa:zhou`,
        `${testKeys.agent('agent-1')}:agent:agent-1`,
        `${testKeys.agent('agent-2')}:agent:agent-2`,
      ].join(','),
    });
    await addAllRoundAgent(stack.router, 'agent-1');
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  /** A complaint worked by agent-1 (a note to the customer) and closed, optionally reopened once first. */
  async function closedTicket(
    complaint: ComplaintInput,
    options: { reopen?: boolean; note?: string } = {},
  ): Promise<string> {
    const routed = watchJobs(stack.router.routeWorker);
    const qa = watchJobs(stack.worker.qaWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set(as(testKeys.crm))
      .send(complaint)
      .expect(202);
    const id = accepted.body.id as string;
    await routed.waitFor((job) => job.data.complaintId === id, 20_000, 'routing');
    routed.stop();
    const work = async () => {
      await assignAckResolve(
        stack.router.url,
        id,
        { admin: testKeys.admin, agent: testKeys.agent('agent-1'), agentId: 'agent-1' },
        { resolutionCode: 'explained', summary: '已退款 refunded' },
      );
      // What the agent wrote to the customer (the auto-QA reads it at the close).
      await request(stack.router.url)
        .post(`/v1/tickets/${id}/notes`)
        .set(agent1)
        .send({ text: options.note ?? apology, visibility: 'customer' })
        .expect(201);
    };
    await work();
    if (options.reopen) {
      await request(stack.router.url).post(`/v1/tickets/${id}/reopen`).set(admin).send({}).expect(200);
      await work();
    }
    await request(stack.router.url).post(`/v1/tickets/${id}/close`).set(admin).send({}).expect(200);
    await qa.waitFor((job) => job.data.complaintId === id, 20_000, 'auto-QA');
    qa.stop();
    return id;
  }

  const reviewOf = async (complaintId: string) => {
    const all = await request(stack.router.url).get('/v1/qa/reviews').set(as(keys.supervisor)).expect(200);
    const found = (all.body.reviews as Array<{ _id: string; complaintId: string; reasons: string[] }>).find(
      (review) => review.complaintId === complaintId,
    );
    if (!found) throw new Error(`no review for ${complaintId}`);
    return found;
  };
  const detailOf = async (id: string, key: string): Promise<ReviewDetail> =>
    (await request(stack.router.url).get(`/v1/qa/reviews/${id}`).set(as(key)).expect(200))
      .body as ReviewDetail;

  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Signs in through the page's form and waits for the desk with who is signed in. */
  async function signIn(key: string, label: string, address = '/qa'): Promise<Page> {
    const page = await freshPage();
    await page.goto(`${stack.router.url}${address}`);
    await page.locator('#key').fill(key);
    await page.locator('#signIn').click();
    await page.locator('#desk').waitFor({ state: 'visible' });
    await page.waitForFunction(
      (expected) => document.querySelector('#whoName')?.textContent === expected,
      label,
    );
    return page;
  }

  it('when a reviewer takes, reads and scores a review, the agent disputes and a supervisor settles it in the page, then every step shows what the API stores, and the ranking matches the report', async () => {
    const reopened = await closedTicket(xssComplaint, { reopen: true });
    const surveyed = await closedTicket(buildEnglishComplaint());
    const link = await request(stack.router.url).get(`/v1/tickets/${surveyed}/survey`).set(admin).expect(200);
    await request(stack.router.url).post(new URL(link.body.url).pathname).send({ score: 1 }).expect(201);
    // What the agent wrote to the customer has a forbidden phrase: the sweep opens a review.
    const rude = await closedTicket(buildComplaint(), { note: '这个问题不归我管，你自己看着办。' });
    await stack.router.desk.sweep(0);
    const first = await reviewOf(reopened);
    const late = await reviewOf(surveyed);
    const fatal = await reviewOf(rude);
    expect(first.reasons).toEqual(['reopened']);
    expect(late.reasons).toEqual(['low-csat']);
    expect(fatal.reasons).toEqual(['fatal-auto-qa']);
    // The second review was opened four days ago: past its 72 h.
    const connection = await mongoose.createConnection(stack.env.MONGO_URL!).asPromise();
    await connection
      .collection<{ _id: string }>('qaReviews')
      .updateOne({ _id: late._id }, { $set: { dueAt: new Date(Date.now() - 24 * 3600_000) } });
    await connection.close();

    // The reviewer signs in: the open reviews with their reasons, the late one in red; no ranking.
    const page = await signIn(keys.lin, 'qa:lin');
    expect(await page.title()).toBe('triage — 质检 QA reviews');
    expect(await page.locator('#whoRole').getAttribute('data-role')).toBe('qa');
    await page.locator(`#openList li[data-review="${first._id}"]`).waitFor();
    expect(
      await page.locator(`#openList li[data-review="${first._id}"] .badge.reason`).allTextContents(),
    ).toEqual(['重开 reopened']);
    const lateItem = page.locator(`#openList li[data-review="${late._id}"]`);
    expect(await lateItem.locator('.badge.reason').allTextContents()).toEqual(['低满意度 low CSAT']);
    expect(await lateItem.getAttribute('class')).toContain('overdue');
    expect(
      await page.locator(`#openList li[data-review="${fatal._id}"] .badge.reason`).allTextContents(),
    ).toEqual(['自动质检致命项 fatal auto-QA']);
    expect(await lateItem.locator('.due').evaluate((node) => getComputedStyle(node).color)).toBe(
      'rgb(198, 40, 40)',
    );
    expect(await page.locator(`#openList li[data-review="${first._id}"] .due.overdue`).count()).toBe(0);
    expect(await page.locator('#rankingsSection').isHidden()).toBe(true);
    expect(await page.locator('#disputesSection').isHidden()).toBe(true);

    // Take next: the oldest open review, now the reviewer's.
    await page.locator('#takeNext').click();
    await page.locator(`#review[data-review="${first._id}"]`).waitFor();
    await page.locator('#rStatus[data-status="assigned"]').waitFor();
    await page.locator(`#mineList li[data-review="${first._id}"]`).waitFor();
    expect(page.url()).toBe(`${stack.router.url}/qa#review=${first._id}`);
    expect(await page.locator('#rReasons').textContent()).toBe('重开 reopened');
    expect(await page.locator('#rReviewer').textContent()).toBe('qa:lin');
    expect(await page.locator('#rAgent').textContent()).toBe('agent-1');

    // The complaint, as text.
    expect(await page.locator('#tSubject').textContent()).toBe(xssComplaint.subject);
    expect(await page.locator('#tBody').textContent()).toBe(xssComplaint.body);
    expect(await page.locator('#tCustomer').textContent()).toBe(
      `${xssComplaint.customer.name} · c-qa-1 · gold`,
    );
    expect(await page.locator('#notes li .text').allTextContents()).toEqual([apology, apology]);
    expect(await page.locator('#review img, #review script, #review b').count()).toBe(0);
    expect(await page.evaluate(() => window.__qaXss)).toBeUndefined();
    expect(await page.locator('#dResolution').textContent()).toBe(
      'explained — 已退款 refunded · agent:agent-1',
    );

    // The auto-QA results, row for row as the API gives them; the history in order.
    const detail = await detailOf(first._id, keys.lin);
    const auto = detail.qa?.auto ?? [];
    expect(auto.length).toBeGreaterThan(0);
    const rows = await page.locator('#autoQa tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        criterion: tr.getAttribute('data-criterion'),
        result: tr.getAttribute('data-result'),
        points: tr.querySelector('.points')?.textContent,
        rule: tr.querySelector('.rule')?.textContent,
        reason: tr.querySelector('.reason')?.textContent,
        fatal: tr.querySelector('[data-fatal]') !== null,
      })),
    );
    expect(rows).toEqual(
      auto.map((c) => ({
        criterion: c.criterion,
        result: c.result,
        points: `${c.points} / ${c.maxPoints}`,
        rule: c.by,
        reason: c.reason,
        fatal: c.fatal,
      })),
    );
    const eventTypes = await page
      .locator('#events li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-event-type')));
    expect(eventTypes).toEqual(
      [...detail.events]
        .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())
        .map((event) => event.type),
    );
    expect(eventTypes).toEqual(expect.arrayContaining(['reopened', 'closed', 'qa.auto-scored']));
    expect(await page.locator('#events li[data-event-type="reopened"] .what').textContent()).toBe(
      '已重开 reopened',
    );

    // The scorecard: one row per manual criterion. Too many points: the API's refusal is shown.
    const manual = detail.manualCriteria;
    expect(manual.length).toBeGreaterThan(0);
    expect(
      await page
        .locator('#scorecard .criterion')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-criterion'))),
    ).toEqual(manual.map((c) => c.id));
    const firstRow = page.locator(`#scorecard .criterion[data-criterion="${manual[0]!.id}"]`);
    expect(await firstRow.locator('.name').textContent()).toContain(
      `${manual[0]!.name.zh} ${manual[0]!.name.en}`,
    );
    await firstRow.locator('input.points').fill(String(manual[0]!.points + 5));
    const refused = await request(stack.router.url)
      .post(`/v1/qa/reviews/${first._id}/score`)
      .set(as(keys.lin))
      .send({
        scores: manual.map((c, i) => ({
          criterion: c.id,
          result: 'pass',
          ...(i === 0 ? { points: c.points + 5 } : {}),
        })),
      })
      .expect(400);
    await page.locator('#submitScore').click();
    await page.locator('#scoreMessage.error').waitFor();
    expect(await page.locator('#scoreMessage').textContent()).toBe(
      `${refused.body.detail} (${(refused.body.errors as Array<{ path: string; message: string }>)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')})`,
    );
    await firstRow.locator('input.points').fill('');
    await firstRow.locator('input.comment').fill('用语规范 wording fine');
    await page.locator('#scoreComment').fill('Handled well after the reopen.');
    await page.locator('#submitScore').click();
    await page.locator('#rStatus[data-status="scored"]').waitFor();
    const scored = await detailOf(first._id, keys.lin);
    expect(scored.review).toMatchObject({ status: 'scored', reviewer: 'qa:lin' });
    expect(await page.locator('#rScore').textContent()).toBe(String(scored.review.score));
    expect(await page.locator('#scorecardSection').isHidden()).toBe(true);
    expect(await page.locator('#manualScores tr').count()).toBe(manual.length);
    expect(await page.locator('#reviewComment').textContent()).toBe('Handled well after the reopen.');
    await page.screenshot({ path: screenshots.reviewer, fullPage: true });

    // Another reviewer can neither list nor open it: 404 in the page and in the API.
    const other = await signIn(keys.zhou, 'qa:zhou', `/qa#review=${first._id}`);
    await other.locator('#reviewError[data-status="404"]').waitFor();
    expect(await other.locator('#reviewError').textContent()).toBe(
      `无法打开此评审： This review cannot be opened: No review with id ${first._id}.`,
    );
    expect(await other.locator('#review').isHidden()).toBe(true);
    await request(stack.router.url).get(`/v1/qa/reviews/${first._id}`).set(as(keys.zhou)).expect(404);
    await other.locator(`#openList li[data-review="${late._id}"]`).waitFor();
    expect(await other.locator(`li[data-review="${first._id}"]`).count()).toBe(0);

    // The agent disputes; the supervisor sees it to settle, with the agent's reason.
    const reason = '第二次来电是新的问题 <i>not a reopen</i>';
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${first._id}/dispute`)
      .set(agent1)
      .send({ reason })
      .expect(200);
    const boss = await signIn(keys.supervisor, 'supervisor:wang');
    await boss.locator('#rankingsSection').waitFor({ state: 'visible' });
    const disputed = boss.locator(`#disputeList li[data-review="${first._id}"]`);
    await disputed.waitFor();
    expect(await disputed.locator('.dispute-reason').textContent()).toBe(reason);
    await disputed.click();
    await boss.locator(`#review[data-review="${first._id}"][data-status="disputed"]`).waitFor();
    expect(await boss.locator('#disputeReason').textContent()).toBe(reason);
    expect(await boss.locator('#disputeBy').textContent()).toMatch(/^agent:agent-1 · /);

    // Overturned, with the first manual criterion failed in the corrected scores.
    await boss.locator('#settleDecision').selectOption('overturned');
    const correction = boss.locator(`#settleScores .criterion[data-criterion="${manual[0]!.id}"]`);
    await correction.waitFor({ state: 'visible' });
    expect(await correction.locator('input.comment').inputValue()).toBe('用语规范 wording fine');
    await correction.locator('select.result').selectOption('fail');
    await correction.locator('input.comment').fill('缺少监管用语 regulator wording missing');
    await boss.locator('#settleReason').fill('the final-answer letter lacked the regulator wording');
    await boss.locator('#settle').click();
    await boss.locator('#rStatus[data-status="settled"]').waitFor();
    const settled = await detailOf(first._id, keys.supervisor);
    expect(settled.review).toMatchObject({ status: 'settled' });
    expect(settled.review.score).not.toBe(scored.review.score);
    expect(await boss.locator('#rScore').textContent()).toBe(String(settled.review.score));
    expect(await boss.locator('#settlementDecision').getAttribute('data-decision')).toBe('overturned');
    expect(await boss.locator('#settlementReason').textContent()).toBe(
      'the final-answer letter lacked the regulator wording',
    );
    expect(await boss.locator('#settleForm').isHidden()).toBe(true);
    expect(
      await boss.locator(`#manualScores tr[data-criterion="${manual[0]!.id}"]`).getAttribute('data-result'),
    ).toBe('fail');
    await boss.locator(`#disputeList li[data-review="${first._id}"]`).waitFor({ state: 'detached' });
    expect(
      await boss
        .locator('#reviewHistory li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-event-type'))),
    ).toEqual(['qa.review-opened', 'qa.review-assigned', 'qa.reviewed', 'qa.disputed', 'qa.dispute-settled']);

    // The ranking: the agent with each part of the composite as the report gives it, and the CSV.
    const report = await request(stack.router.url).get('/v1/reports').set(as(keys.supervisor)).expect(200);
    const ranked = (report.body.byAgent as AgentRow[]).find((agent) => agent.id === 'agent-1');
    if (!ranked) throw new Error('agent-1 is not ranked');
    const text = (value: number | null) => (value === null ? '—' : String(value));
    const row = boss.locator('#rankings tr[data-agent="agent-1"]');
    await boss.waitForFunction(
      (expected) =>
        document.querySelector('#rankings tr[data-agent="agent-1"] .composite')?.textContent === expected,
      text(ranked.composite.score),
    );
    expect({
      rank: await row.locator('.rank').textContent(),
      qa: await row.locator('.qa').textContent(),
      csat: await row.locator('.csat').textContent(),
      sla: await row.locator('.sla').textContent(),
      fcr: await row.locator('.fcr').textContent(),
      transfers: await row.locator('.transfers').textContent(),
      covered: await row.locator('.covered').textContent(),
    }).toEqual({
      rank: String(ranked.rank),
      qa: text(ranked.composite.parts.qa ?? null),
      csat: text(ranked.composite.parts.csat ?? null),
      sla: text(ranked.composite.parts.sla ?? null),
      fcr: text(ranked.composite.parts.fcr ?? null),
      transfers: text(ranked.composite.parts.transfers ?? null),
      covered: `${ranked.composite.weightCovered}%`,
    });
    expect(ranked.composite.parts.qa).not.toBeNull();
    const csvHref = await boss.locator('#csvLink').getAttribute('href');
    expect(csvHref).toBe('/v1/reports?format=csv&view=agents');
    const csv = await boss.evaluate(
      async (href) => (await fetch(href, { credentials: 'same-origin' })).text(),
      csvHref!,
    );
    expect(csv.split('\n')[0]).toMatch(/^rank,.*compositeScore/);

    // The supervisor gives the late review to a named reviewer.
    await boss.locator(`#openList li[data-review="${late._id}"]`).click();
    await boss.locator(`#review[data-review="${late._id}"]`).waitFor();
    expect(await boss.locator('#rDue').getAttribute('class')).toContain('overdue');
    await boss.locator('#assignReviewer').fill('zhou');
    await boss.locator('#assign').click();
    await boss.locator('#rStatus[data-status="assigned"]').waitFor();
    expect(await boss.locator('#rReviewer').textContent()).toBe('qa:zhou');
    expect((await detailOf(late._id, keys.zhou)).review).toMatchObject({
      status: 'assigned',
      reviewer: 'qa:zhou',
    });
    await boss.locator(`#allList li[data-review="${late._id}"]`).waitFor();
    // A label that is no reviewer's: the API's refusal is shown, nothing changes.
    await boss.locator('#assignReviewer').fill('qa:not a name');
    await boss.locator('#assign').click();
    await boss.locator('#assignMessage.error').waitFor();
    expect(await boss.locator('#assignMessage').textContent()).toContain('/reviewer');
    expect((await detailOf(late._id, keys.zhou)).review.reviewer).toBe('qa:zhou');
    // The fatal one: the failed fatal criterion is marked, with the rule and its reason.
    await boss.locator(`#openList li[data-review="${fatal._id}"]`).click();
    await boss.locator(`#review[data-review="${fatal._id}"]`).waitFor();
    const fatalQa = (await detailOf(fatal._id, keys.supervisor)).qa?.auto ?? [];
    const failedFatal = fatalQa.filter((c) => c.fatal && c.result === 'fail').map((c) => c.criterion);
    expect(failedFatal.length).toBeGreaterThan(0);
    expect(
      await boss
        .locator('#autoQa tr[data-result="fail"]:has([data-fatal])')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-criterion'))),
    ).toEqual(failedFatal);
    expect(await boss.locator('#qaSummary .badge.fatal').count()).toBe(1);
    // The settled review again, for the picture: the dispute, the settlement, the ranking.
    await boss.locator(`#allList li[data-review="${first._id}"]`).click();
    await boss.locator(`#review[data-review="${first._id}"]`).waitFor();
    expect(await boss.locator('#assignForm').isHidden()).toBe(true);
    await boss.screenshot({ path: screenshots.supervisor, fullPage: true });
  }, 120_000);

  it('when the page is signed into, then the key is kept nowhere, the CSP allows no inline script, an agent key is sent to /agent, and signing out shows the form again', async () => {
    const served = await request(stack.router.url).get('/qa').expect(200);
    expect(served.headers['content-security-policy']).toContain("script-src 'self'");
    expect(served.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(served.text).not.toMatch(/<script>|\son\w+=/);
    for (const asset of ['/qa/qa.js', '/qa/qa-render.js', '/qa/qa.css'])
      await request(stack.router.url).get(asset).expect(200);

    const page = await freshPage();
    await page.goto(`${stack.router.url}/qa`);
    await page.locator('#key').fill(testKeys.agent('agent-1'));
    await page.locator('#signIn').click();
    await page.waitForFunction(
      () =>
        document.querySelector('#loginError')?.textContent ===
        '这不是质检员或主管密钥；坐席请用 /agent。 This is not a reviewer key: agents use /agent.',
    );
    expect(await page.locator('#desk').isHidden()).toBe(true);

    const reviewer = await signIn(keys.zhou, 'qa:zhou');
    const cookies = await reviewer.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'triage_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toContain(keys.zhou);
    await reviewer.locator('#signOut').click();
    await reviewer.locator('#login').waitFor({ state: 'visible' });
    expect(await reviewer.context().cookies()).toEqual([]);
  });
});
