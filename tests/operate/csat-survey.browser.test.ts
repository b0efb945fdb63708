import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { closeServer, listen, portOf } from '@triage/shared/http';
import express from 'express';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { SurveyTokens } from '../../services/router/src/data-access/survey-tokens';
import { buildCrmTicket, deliver, webhookSecrets, webhookSecretsEnv } from '../intake/intake-harness';
import { watchJobs } from '../router/support/job-events';
import { launchChromium } from '../support/browser';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

const SESSION_SECRET = 'csat-test-session-secret-0123456789abcdef';
const TTL_MS = 3_600_000;

describe('satisfaction surveys: a resolve sends the CRM a signed, single-use, expiring survey link', () => {
  let stack: TestStack;
  let browser: Browser;
  let server: Server;
  let rulesDir: string;
  const received: Array<Record<string, unknown>> = [];
  const admin = `Bearer ${testKeys.admin}`;
  const agent = `Bearer ${testKeys.agent('agent-1')}`;

  beforeAll(async () => {
    const crm = express();
    crm.post('/crm', express.json(), (req, res) => {
      received.push(req.body as Record<string, unknown>);
      res.status(204).end();
    });
    server = await listen(crm, 0, '127.0.0.1');
    rulesDir = await mkdtemp(path.join(os.tmpdir(), 'triage-csat-rules-'));
    await cp('rules', rulesDir, { recursive: true });
    const file = path.join(rulesDir, 'sources', 'generic-crm.json');
    const mapping = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(
      file,
      JSON.stringify({
        ...mapping,
        outbound: { url: `http://127.0.0.1:${portOf(server)}/crm`, events: ['resolved'] },
      }),
    );
    stack = await startTestStack('csat', {
      RULES_DIR: rulesDir,
      WEBHOOK_SECRETS: webhookSecretsEnv,
      SESSION_SECRET,
      SURVEY_TTL_MS: String(TTL_MS),
      SURVEY_BASE_URL: 'http://127.0.0.1:0',
    });
    await stack.router.agents.upsert({
      _id: 'agent-1',
      name: 'Agent One',
      skills: [
        'general',
        'billing',
        'credit',
        'fraud',
        'escalations',
        'zh',
        'welfare',
        'senior',
        'abuse',
        'supervisor',
      ],
      capacity: 20,
      online: true,
    });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (server) await closeServer(server);
    await rm(rulesDir, { recursive: true, force: true });
  });

  /** A generic-crm complaint, worked and resolved by agent-1; answers the survey the CRM received. */
  async function resolvedComplaint(text: { subject: string; description: string }) {
    const deliveries = watchJobs(stack.router.crmWorker);
    const accepted = await deliver(stack.intake.url, 'generic-crm', buildCrmTicket(text), {
      secret: webhookSecrets.genericNew,
    }).expect(202);
    const id = accepted.body.id as string;
    const routed = watchJobs(stack.router.routeWorker);
    await routed.waitFor((job) => job.data.complaintId === id, 20_000, 'routing');
    routed.stop();
    const assign = await request(stack.router.url)
      .post(`/v1/tickets/${id}/assign`)
      .set('Authorization', admin)
      .send({ agentId: 'agent-1' });
    expect([200, 409]).toContain(assign.status); // 409: a push queue gave it to agent-1 already
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/ack`)
      .set('Authorization', agent)
      .send({})
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/resolve`)
      .set('Authorization', agent)
      .send({ resolutionCode: 'refunded', summary: 'refunded' })
      .expect(200);
    await deliveries.waitFor((job) => job.data.complaintId === id, 20_000, 'the resolved delivery');
    deliveries.stop();
    const resolved = received.filter((body) => body.complaintId === id && body.event === 'ticket.resolved');
    expect(resolved).toHaveLength(1);
    const survey = resolved[0]!.survey as { url: string; expiresAt: string };
    const stored = await stack.router.tickets.findById(id);
    expect(new Date(survey.expiresAt).getTime()).toBe(stored!.ticket!.resolvedAt!.getTime() + TTL_MS);
    // The CRM got a link on the configured base; the test reaches the same path on this router.
    const surveyPath = new URL(survey.url).pathname;
    expect(surveyPath).toMatch(/^\/survey\/[\w-]+\.[\w-]+$/);
    return { id, surveyPath };
  }

  it('when the customer opens the link, then a bilingual page takes a score and a comment once, and the score lands on the complaint and in the KPIs', async () => {
    const { id, surveyPath } = await resolvedComplaint({
      subject: '信用卡年费被重复收取',
      description: '我的信用卡年费被收了两次，请退还。',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.router.url + surveyPath);
    await page.getByText('您对这次处理满意吗？').waitFor();
    await page.getByText('How satisfied are you with how we handled your complaint?').waitFor();
    // Submitting without a score is refused by the form itself (required).
    await page.locator('input[name="score"][value="4"]').check();
    await page.locator('textarea[name="comment"]').fill('处理很快 / quick and polite');
    await page.screenshot({ path: '/tmp/csat-survey.png', fullPage: true });
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.getByRole('button').click()]);
    await page.getByText('谢谢您的反馈！').waitFor();

    const stored = await stack.router.tickets.findById(id);
    expect(stored?.csat).toMatchObject({
      score: 4,
      comment: '处理很快 / quick and polite',
      round: 0,
      via: 'page',
    });
    expect(stored?.events).toContainEqual(
      expect.objectContaining({
        type: 'csat.answered',
        data: expect.objectContaining({ score: 4, agentId: 'agent-1' }),
      }),
    );

    // The same link again: answered already, as a page and as JSON.
    await page.goto(stack.router.url + surveyPath);
    await page.getByText('您已经提交过了，谢谢！').waitFor();
    const again = await request(stack.router.url).post(surveyPath).send({ score: 1 }).expect(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await stack.router.tickets.findById(id))?.csat?.score).toBe(4);
    await context.close();

    const kpis = await request(stack.router.url).get('/v1/reports').set('Authorization', admin).expect(200);
    const agentRow = kpis.body.byAgent.find((row: { id: string }) => row.id === 'agent-1');
    expect(agentRow.csat.responses).toBeGreaterThanOrEqual(1);
    expect(kpis.body.byCategory.length).toBeGreaterThan(0);
  });

  it('when a CRM posts the answer as JSON, then 201 with the stored score; a bad score, a forged link and an expired one are refused precisely', async () => {
    const { id, surveyPath } = await resolvedComplaint({
      subject: 'Late fee charged twice',
      description: 'I was charged the late fee twice this month.',
    });
    const bad = await request(stack.router.url).post(surveyPath).send({ score: 9 }).expect(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toContain('/score');
    await request(stack.router.url).post(surveyPath).send({ score: 5, extra: true }).expect(400);
    const answered = await request(stack.router.url)
      .post(surveyPath)
      .send({ score: 2, comment: 'took too long' })
      .expect(201);
    expect(answered.body.csat).toMatchObject({ score: 2, comment: 'took too long', via: 'api', round: 0 });
    expect((await stack.router.tickets.findById(id))?.csat?.score).toBe(2);

    // One changed character in the signature, or a survey for another complaint: no survey.
    const forged = surveyPath.slice(0, -1) + (surveyPath.endsWith('A') ? 'B' : 'A');
    await request(stack.router.url).post(forged).send({ score: 5 }).expect(404);
    const page404 = await request(stack.router.url).get(forged).expect(404);
    expect(page404.text).toContain('找不到此调查');
    // A link minted with the router's secret but expired.
    const tokens = new SurveyTokens(SESSION_SECRET, 'http://x', TTL_MS);
    const old = tokens.link({ complaintId: id, round: 0 }, new Date(Date.now() - 2 * TTL_MS));
    const expired = await request(stack.router.url)
      .post(new URL(old.url).pathname)
      .send({ score: 5 })
      .expect(410);
    expect(expired.body.detail).toMatch(/expired/);
    // A well-signed link for a resolve that never happened (round 3).
    const never = tokens.link({ complaintId: id, round: 3 }, new Date());
    await request(stack.router.url).post(new URL(never.url).pathname).send({ score: 5 }).expect(404);
  });

  it('when an agent asks for a resolved ticket’s survey link, then they get it to send by another channel; not before the resolve, and not for tickets they may not read', async () => {
    const { id, surveyPath } = await resolvedComplaint({
      subject: '转账失败但扣了钱',
      description: '转账失败了，钱却被扣走了。',
    });
    const link = await request(stack.router.url)
      .get(`/v1/tickets/${id}/survey`)
      .set('Authorization', agent)
      .expect(200);
    expect(new URL(link.body.url).pathname).toBe(surveyPath);
    expect(link.body).toMatchObject({ round: 0, answered: false });
    await request(stack.router.url).post(surveyPath).send({ score: 3 }).expect(201);
    const after = await request(stack.router.url)
      .get(`/v1/tickets/${id}/survey`)
      .set('Authorization', admin)
      .expect(200);
    expect(after.body.answered).toBe(true);
    await request(stack.router.url)
      .get(`/v1/tickets/${id}/survey`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(403);
    // agent-2 has no skills for any queue: the ticket is not theirs to read.
    await request(stack.router.url)
      .get(`/v1/tickets/${id}/survey`)
      .set('Authorization', `Bearer ${testKeys.agent('agent-2')}`)
      .expect(404);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/reopen`)
      .set('Authorization', admin)
      .send({})
      .expect(200);
    const reopened = await request(stack.router.url)
      .get(`/v1/tickets/${id}/survey`)
      .set('Authorization', admin)
      .expect(404);
    expect(reopened.body.detail).toMatch(/not resolved/);
  });

  it('when the ticket is reopened and resolved again, then a new survey is due and answered on its own', async () => {
    const { id } = await resolvedComplaint({
      subject: 'Card blocked',
      description: 'My card was blocked abroad.',
    });
    const deliveries = watchJobs(stack.router.crmWorker);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/reopen`)
      .set('Authorization', admin)
      .send({})
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/assign`)
      .set('Authorization', admin)
      .send({ agentId: 'agent-1' })
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/ack`)
      .set('Authorization', agent)
      .send({})
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${id}/resolve`)
      .set('Authorization', agent)
      .send({ resolutionCode: 'explained' })
      .expect(200);
    await deliveries.waitFor((job) => job.data.complaintId === id, 20_000, 'the second resolved delivery');
    deliveries.stop();
    const surveys = received
      .filter((body) => body.complaintId === id && body.event === 'ticket.resolved')
      .map((body) => new URL((body.survey as { url: string }).url).pathname);
    expect(surveys).toHaveLength(2);
    expect(surveys[0]).not.toBe(surveys[1]);
    await request(stack.router.url).post(surveys[1]!).send({ score: 5 }).expect(201);
    await request(stack.router.url).post(surveys[0]!).send({ score: 1 }).expect(201);
    const stored = await stack.router.tickets.findById(id);
    expect(stored?.csatRounds).toEqual([1, 0]);
  });
});
