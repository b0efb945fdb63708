import { Writable } from 'node:stream';
import { parseApiKeys } from '@triage/shared/kernel';
import { createBaseApp, createSessionToken } from '@triage/shared/http';
import pino from 'pino';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, startTestRouter } from '../router/support/router-harness';

/**
 * Issue #12, item 7 (and #14, item 8 for agents): browser pages sign in with a short-lived session cookie, never a key in the
 * URL; logs never hold a query-string secret; bull-board's changes need the session and pass a
 * CSRF check.
 */
const supervisorKey = 'router-test-supervisor-sam';
const crmKey = 'router-test-crm-sessions-key';
const qaKey = 'router-test-qa-reviewer-lin';
const sessionSecret = 'access-test-session-secret-0000000001';

describe('browser sessions for the dashboard and bull-board', () => {
  let router: RunningRouter;
  let second: RunningRouter;
  const env = (() => {
    const base = routerEnv('access-sessions', ['gina']);
    return {
      ...base,
      API_KEYS: `${base.API_KEYS},${supervisorKey}:supervisor:sam,${crmKey}:crm:generic-crm,${qaKey}:qa:lin`,
      SESSION_SECRET: sessionSecret,
    };
  })();

  beforeAll(async () => {
    router = await startTestRouter(env);
    // A second router process with the same secret: sessions need no shared store.
    second = await startTestRouter(env);
  });

  afterAll(async () => {
    await second?.stop();
    await router?.stop();
  });

  /** Whether bull-board shows a job queue paused (read with a Bearer key). */
  async function isPaused(name: string): Promise<boolean> {
    const board = await request(router.url)
      .get('/admin/queues/api/queues')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    const queue = (board.body.queues as Array<{ name: string; isPaused: boolean }>).find(
      (candidate) => candidate.name === name,
    );
    if (!queue) throw new Error(`bull-board shows no queue ${name}`);
    return queue.isPaused;
  }

  async function signIn(key: string, url = router.url): Promise<string> {
    const response = await request(url).post('/v1/session').set('Authorization', `Bearer ${key}`).expect(200);
    const cookie = String(response.headers['set-cookie']?.[0]);
    expect(cookie).toMatch(/^triage_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(key);
    return cookie.split(';')[0]!;
  }

  it('when a supervisor signs in, then the session cookie reads the dashboard data on any router process, and signing out ends it in the browser', async () => {
    const session = await signIn(supervisorKey);
    for (const url of [router.url, second.url]) {
      await request(url).get('/v1/reports').set('Cookie', session).expect(200);
      await request(url).get('/v1/queues').set('Cookie', session).expect(200);
      const who = await request(url).get('/v1/session').set('Cookie', session).expect(200);
      expect(who.body).toEqual({ role: 'supervisor', subject: 'sam' });
    }
    // Signing out is a change too: from our own page only.
    await request(router.url)
      .delete('/v1/session')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    const out = await request(router.url)
      .delete('/v1/session')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(204);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(/^triage_session=; Path=\/; Max-Age=0/);
  });

  it('when an agent signs in (the agent workspace), then the session reads and works their own tickets from our page, but no report, no other agent and no bull-board', async () => {
    await router.agents.upsert({ _id: 'gina', name: 'Gina', skills: ['general'], capacity: 5, online: true });
    const session = await signIn(agentKey('gina'));
    const who = await request(router.url).get('/v1/session').set('Cookie', session).expect(200);
    expect(who.body).toEqual({ role: 'agent', subject: 'gina' });
    const mine = await request(router.url).get('/v1/agents/gina/tickets').set('Cookie', session).expect(200);
    expect(mine.body).toMatchObject({ agentId: 'gina', tickets: [] });
    // A change carried by the cookie passes the CSRF check only from our own page.
    await request(router.url)
      .post('/v1/agents/gina/presence')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ online: false })
      .expect(403);
    const presence = await request(router.url)
      .post('/v1/agents/gina/presence')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ online: true })
      .expect(200);
    expect(presence.body.agent).toMatchObject({ id: 'gina', online: true });
    // The role still decides what the session may read: a supervisor's data is refused.
    await request(router.url).get('/v1/reports').set('Cookie', session).expect(403);
    await request(router.url).get('/v1/agents').set('Cookie', session).expect(403);
    await request(router.url).get('/v1/agents/fred/tickets').set('Cookie', session).expect(403);
    await request(router.url).get('/admin/queues/api/queues').set('Cookie', session).expect(403);
  });

  it('when a QA reviewer signs in (the QA page), then the session reads QA reviews and nothing else: no ticket, queue, report, agent or bull-board', async () => {
    const session = await signIn(qaKey);
    const who = await request(router.url).get('/v1/session').set('Cookie', session).expect(200);
    expect(who.body).toEqual({ role: 'qa', subject: 'lin' });
    const reviews = await request(router.url).get('/v1/qa/reviews').set('Cookie', session).expect(200);
    expect(reviews.body).toEqual({ reviews: [] });
    const ticket = '00000000-0000-4000-8000-000000000000';
    await request(router.url).get(`/v1/tickets/${ticket}`).set('Cookie', session).expect(403);
    await request(router.url).get('/v1/queues').set('Cookie', session).expect(403);
    await request(router.url).get('/v1/reports').set('Cookie', session).expect(403);
    await request(router.url).get('/v1/reports?format=csv&view=agents').set('Cookie', session).expect(403);
    await request(router.url).get('/v1/agents').set('Cookie', session).expect(403);
    await request(router.url).get('/admin/queues/api/queues').set('Cookie', session).expect(403);
    // Taking a review is a change: from our own page only.
    await request(router.url)
      .post('/v1/qa/reviews/next')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    await request(router.url)
      .post('/v1/qa/reviews/next')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(204);
  });

  it('when a CRM key, an unknown key, a tampered or an expired session is used, then 403/401 problem+json and no data', async () => {
    const crm = await request(router.url)
      .post('/v1/session')
      .set('Authorization', `Bearer ${crmKey}`)
      .expect(403);
    expect(crm.headers['set-cookie']).toBeUndefined();
    expect(crm.body.detail).toBe('Browser sessions are for the roles: agent, qa, supervisor, admin.');
    await request(router.url).post('/v1/session').set('Authorization', 'Bearer nope-nope-nope').expect(401);
    const session = await signIn(adminKey);
    const tampered = `${session.slice(0, -3)}${session.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const refused = await request(router.url).get('/v1/reports').set('Cookie', tampered).expect(401);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    const principal = parseApiKeys(env.API_KEYS).get(adminKey)!;
    const expired = createSessionToken(
      principal,
      { secret: sessionSecret, ttlMs: 1000 },
      new Date(Date.now() - 60_000),
    );
    await request(router.url).get('/v1/reports').set('Cookie', `triage_session=${expired}`).expect(401);
    const otherSecret = createSessionToken(principal, { secret: 'x'.repeat(40), ttlMs: 60_000 });
    await request(router.url).get('/v1/reports').set('Cookie', `triage_session=${otherSecret}`).expect(401);
  });

  it('when the dashboard is opened with ?key=, then the key signs nothing in and the page no longer reads keys from the address', async () => {
    const refused = await request(router.url).get(`/v1/reports?key=${adminKey}`).expect(401);
    // Nor does the problem+json echo it back.
    expect(refused.body.instance).toBe('/v1/reports?key=[redacted]');
    const page = await request(router.url).get(`/dashboard?key=${adminKey}`).expect(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.text).not.toMatch(/localStorage\.setItem\('triageAdminKey'/);
    expect(page.text).not.toMatch(/params\.get\('key'\)/);
  });

  it('when a request carries a secret in its query string, then the access log shows it redacted', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const app = createBaseApp('access-log-test', pino({ level: 'info' }, sink), []);
    app.get('/dashboard', (_req, res) => {
      res.send('ok');
    });
    await request(app)
      .get('/dashboard?key=demo-admin-key&view=queues&api_token=t0k3n&Password=p')
      .expect(200);
    const logged = lines.join('');
    expect(logged).toContain(
      '/dashboard?key=[redacted]&view=queues&api_token=[redacted]&Password=[redacted]',
    );
    expect(logged).not.toContain('demo-admin-key');
    expect(logged).not.toContain('t0k3n');
  });

  it("when a cross-site form posts to bull-board with the browser's credentials, then it is refused and nothing changes", async () => {
    const session = await signIn(adminKey);
    const basic = `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`;
    // What a browser sends for an auto-submitted form on another site: its cached Basic credentials…
    await request(router.url)
      .put('/admin/queues/api/queues/notify/pause')
      .set('Authorization', basic)
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(401);
    // …or the session cookie, had SameSite not already held it back.
    const refused = await request(router.url)
      .put('/admin/queues/api/queues/notify/pause')
      .set('Cookie', session)
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    // Without any Origin or Sec-Fetch-Site the change is refused too.
    await request(router.url).put('/admin/queues/api/queues/notify/pause').set('Cookie', session).expect(403);
    // A Bearer key reads bull-board, but changes need the signed-in browser.
    await request(router.url)
      .get('/admin/queues/api/queues')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    await request(router.url)
      .put('/admin/queues/api/queues/notify/pause')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(403);
    expect(await isPaused('notify')).toBe(false);
  });

  it("when the signed-in admin's own page changes something in bull-board, then it is done; a supervisor may not", async () => {
    const session = await signIn(adminKey);
    const host = new URL(router.url).host;
    await request(router.url)
      .put('/admin/queues/api/queues/notify/pause')
      .set('Cookie', session)
      .set('Origin', `http://${host}`)
      .expect(200);
    expect(await isPaused('notify')).toBe(true);
    await request(router.url)
      .put('/admin/queues/api/queues/notify/resume')
      .set('Cookie', session)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
    expect(await isPaused('notify')).toBe(false);
    const supervisor = await signIn(supervisorKey);
    await request(router.url).get('/admin/queues/api/queues').set('Cookie', supervisor).expect(403);
  });
});
