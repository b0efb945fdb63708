import request from 'supertest';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

const admin = `Bearer ${testKeys.admin}`;

/** The value of one Prometheus sample, whatever order its labels come in. */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('operating triage: reports, metrics, API docs, queue board, dashboard', () => {
  let stack: TestStack;
  const ids: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('operate');
    await request(stack.router.url)
      .put('/v1/agents/agent-1')
      .set('Authorization', admin)
      .send({ name: 'Li Na', skills: ['general', 'billing', 'zh', 'credit', 'escalations'], capacity: 10 })
      .expect((response) => expect([200, 201]).toContain(response.status));
    const routed = watchCompletedJobs(stack.router.routeWorker);
    for (const complaint of [
      buildComplaint({ product: '信用卡' }),
      buildEnglishComplaint({ product: 'Credit card' }),
      buildEnglishComplaint({
        body: 'My credit report is wrong and Equifax ignores my disputes.',
        product: 'Credit reporting',
      }),
    ]) {
      const accepted = await request(stack.intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send(complaint)
        .expect(202);
      ids.push(accepted.body.id);
    }
    await Promise.all(ids.map((id) => routed.waitFor(id)));
    routed.stop();
    // agent-1 works one ticket through to resolution.
    const agent = `Bearer ${testKeys.agent('agent-1')}`;
    const claimed = await request(stack.router.url)
      .post('/v1/agents/agent-1/claim')
      .set('Authorization', agent)
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${claimed.body.ticket.id}/ack`)
      .set('Authorization', agent)
      .send({})
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${claimed.body.ticket.id}/resolve`)
      .set('Authorization', agent)
      .send({})
      .expect(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('when complaints were received and one resolved, then the KPI report counts them per queue, agent and severity', async () => {
    const report = await request(stack.router.url).get('/v1/reports').set('Authorization', admin).expect(200);
    expect(report.body.totals).toMatchObject({ received: 3, resolved: 1, backlog: 2 });
    expect(report.body.totals.firstResponse).toMatchObject({ met: 1, attainmentPct: 100 });
    expect(report.body.byAgent).toEqual([
      expect.objectContaining({ id: 'agent-1', name: 'Li Na', resolved: 1, rank: 1 }),
    ]);
    const queueTotal = report.body.byQueue.reduce(
      (sum: number, queue: { received: number }) => sum + queue.received,
      0,
    );
    expect(queueTotal).toBe(3);
    expect(report.body.complaintsPerProduct).toEqual(
      expect.arrayContaining([{ product: 'Credit card', count: 1 }]),
    );
  });

  it('when the report is asked for as CSV, then it is CSV with one row per agent and a totals row', async () => {
    const csv = await request(stack.router.url)
      .get('/v1/reports?format=csv&view=agents')
      .set('Authorization', admin)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^rank,compositeScore,id,/);
    // Rank 1, composite 100 (SLA, first contact and transfers all met; no QA score or survey yet).
    expect(lines[1]).toMatch(/^1,100,agent-1,/);
  });

  it('when the range is inverted or a parameter unknown, then 400 problem+json', async () => {
    await request(stack.router.url)
      .get('/v1/reports?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')
      .set('Authorization', admin)
      .expect(400);
    const unknown = await request(stack.router.url)
      .get('/v1/reports?colour=red')
      .set('Authorization', admin)
      .expect(400);
    expect(unknown.body.errors).toEqual([{ path: '/colour', message: expect.any(String) }]);
    await request(stack.router.url)
      .get('/v1/reports')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(403);
  });

  it('when Prometheus scrapes each service, then it sees HTTP latency, jobs processed and queue depths', async () => {
    const intake = await request(stack.intake.url).get('/metrics').expect(200);
    expect(
      metricValue(intake.text, 'triage_http_request_duration_seconds_count', {
        service: 'intake',
        method: 'POST',
        route: '/v1/complaints',
        status: '202',
      }),
    ).toBe(3);
    const router = await request(stack.router.url).get('/metrics').expect(200);
    expect(
      metricValue(router.text, 'triage_jobs_processed_total', { service: 'router', queue: 'route' }),
    ).toBe(3);
    expect(metricValue(router.text, 'triage_queue_jobs', { queue: 'triage', state: 'completed' })).toBe(3);
    const worker = await request(stack.worker.url).get('/metrics').expect(200);
    expect(metricValue(worker.text, 'triage_rule_evaluation_seconds_count', { service: 'worker' })).toBe(3);
    expect(
      metricValue(worker.text, 'triage_jobs_processed_total', { service: 'worker', queue: 'triage' }),
    ).toBe(3);
    const rules = await request(stack.worker.url).get('/v1/rules').set('Authorization', admin).expect(200);
    expect(metricValue(worker.text, 'triage_ruleset_active', { version: rules.body.version })).toBe(1);
  });

  it('when an integrator reads the API docs, then each service serves OpenAPI 3.1 generated from its schemas and interactive docs', async () => {
    const intake = await request(stack.intake.url).get('/openapi.json').expect(200);
    expect(intake.body.openapi).toBe('3.1.0');
    const body = intake.body.paths['/v1/complaints'].post.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? intake.body.components.schemas[body.$ref.split('/').pop()] : body;
    expect(resolved.required).toEqual(expect.arrayContaining(['customer', 'channel', 'body']));
    expect(resolved.properties.channel.enum).toContain('phone');
    const router = await request(stack.router.url).get('/openapi.json').expect(200);
    expect(Object.keys(router.body.paths)).toEqual(
      expect.arrayContaining(['/v1/agents/{agentId}/claim', '/v1/reports', '/v1/tickets/{id}/transfer']),
    );
    const worker = await request(stack.worker.url).get('/openapi.json').expect(200);
    expect(Object.keys(worker.body.paths)).toEqual(
      expect.arrayContaining(['/v1/rules/dry-run', '/v1/rules/replay', '/v1/blocklist/{customerId}']),
    );
    const docs = await request(stack.router.url).get('/docs/').expect(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('when an admin opens the queue board, then it sends them to sign in and shows the queues once signed in', async () => {
    const refused = await request(stack.router.url)
      .get('/admin/queues')
      .set('Accept', 'text/html')
      .expect(303);
    expect(refused.headers.location).toBe('/dashboard?next=admin-queues');
    const signedIn = await request(stack.router.url)
      .post('/v1/session')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    const session = String(signedIn.headers['set-cookie']?.[0]).split(';')[0]!;
    const page = await request(stack.router.url).get('/admin/queues').set('Cookie', session).expect(200);
    expect(page.text).toContain('<div id="root"');
    const queues = await request(stack.router.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', session)
      .expect(200);
    expect(queues.body.queues.map((queue: { name: string }) => queue.name)).toEqual(
      expect.arrayContaining(['triage', 'route', 'sla']),
    );
  });

  it('when a supervisor opens the dashboard, then the page is served without a key (its data calls need one)', async () => {
    const page = await request(stack.router.url).get('/dashboard').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('supervisor dashboard');
    await request(stack.router.url).get('/v1/reports/deadlines').expect(401);
    const deadlines = await request(stack.router.url)
      .get('/v1/reports/deadlines?limit=5')
      .set('Authorization', admin)
      .expect(200);
    expect(deadlines.body.tickets).toHaveLength(2);
  });
});
