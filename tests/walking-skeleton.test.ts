import request from 'supertest';
import { buildComplaint, buildEnglishComplaint } from './support/builders';
import { watchCompletedJobs } from './support/job-watcher';
import { startTestStack, testKeys, type TestStack } from './support/test-stack';

describe('walking skeleton: webhook-free path from intake to an agent claim', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('skeleton');
    await stack.router.agents.upsert({
      _id: 'agent-1',
      name: 'Li Na',
      skills: ['general', 'billing', 'zh', 'credit'],
      capacity: 5,
      online: true,
    });
    await stack.router.agents.upsert({
      _id: 'agent-2',
      name: 'Sam Ortiz',
      skills: ['general'],
      capacity: 1,
      online: true,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('when a complaint is posted, then it is triaged by the rules, queued, and an agent can claim and resolve it', async () => {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const complaint = buildComplaint({
      body: '我的信用卡被重复扣费，已经打了12315投诉，再不退款我就找媒体曝光。',
    });

    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(complaint)
      .expect(202);
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'enqueued', duplicate: false });
    const id: string = accepted.body.id;

    await routed.waitFor(id);
    routed.stop();

    const stored = await request(stack.intake.url)
      .get(`/v1/complaints/${id}`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    expect(stored.body.status).toBe('queued');
    expect(stored.body.decision).toMatchObject({
      category: 'billing',
      severity: 'high',
      queue: 'escalations',
      slaPolicy: 'regulatory',
      rulesetVersion: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(stored.body.decision.tags).toEqual(expect.arrayContaining(['regulatory-threat', 'media-threat']));
    expect(new Date(stored.body.decision.firstResponseDueAt).getTime()).toBeGreaterThan(
      new Date(stored.body.receivedAt).getTime(),
    );
    expect(stored.body.events.map((event: { type: string }) => event.type)).toEqual([
      'received',
      'enqueued',
      'triaged',
      'queued',
    ]);

    // agent-1 lacks the escalations skill, so an admin-configured escalation agent is needed.
    await stack.router.agents.upsert({
      _id: 'agent-3',
      name: 'Zhao Lei',
      skills: ['escalations', 'zh'],
      capacity: 3,
      online: true,
    });
    const claimed = await request(stack.router.url)
      .post('/v1/agents/agent-3/claim')
      .set('Authorization', `Bearer ${testKeys.agent('agent-3')}`)
      .expect(200);
    expect(claimed.body.ticket).toMatchObject({
      id,
      complaintId: id,
      status: 'claimed',
      severity: 'high',
      queue: 'escalations',
      agentId: 'agent-3',
      priority: { score: expect.any(Number) },
      firstResponseDueAt: stored.body.decision.firstResponseDueAt,
    });

    await request(stack.router.url)
      .post(`/v1/tickets/${id}/ack`)
      .set('Authorization', `Bearer ${testKeys.agent('agent-3')}`)
      .expect(200);
    const resolved = await request(stack.router.url)
      .post(`/v1/tickets/${id}/resolve`)
      .set('Authorization', `Bearer ${testKeys.agent('agent-3')}`)
      .expect(200);
    expect(resolved.body.ticket.status).toBe('resolved');

    const history = await request(stack.intake.url)
      .get(`/v1/complaints/${id}/events`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    expect(history.body.events.map((event: { type: string }) => event.type)).toEqual([
      'received',
      'enqueued',
      'triaged',
      'queued',
      'claimed',
      'acknowledged',
      'resolved',
    ]);
  });

  it('when nothing waits in the queues an agent may serve, then claim answers 204', async () => {
    await request(stack.router.url)
      .post('/v1/agents/agent-2/claim')
      .set('Authorization', `Bearer ${testKeys.agent('agent-2')}`)
      .expect(204);
  });

  it('when an agent key claims for another agent, then 403 problem+json', async () => {
    const response = await request(stack.router.url)
      .post('/v1/agents/agent-1/claim')
      .set('Authorization', `Bearer ${testKeys.agent('agent-2')}`)
      .expect(403);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  it('when the best ticket is taken, then the next claim gets the next one in priority order and the queue view counts them', async () => {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const low = buildEnglishComplaint({
      body: 'Question about my statement.',
      subject: 'hi',
      customer: { id: 'c-low', tier: 'standard' },
    });
    const urgent = buildEnglishComplaint({
      body: 'I was double charged and my account is frozen, I cannot pay rent.',
      customer: { id: 'c-urgent', tier: 'vip' },
    });
    const ids: string[] = [];
    for (const complaint of [low, urgent]) {
      const response = await request(stack.intake.url)
        .post('/v1/complaints')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send(complaint)
        .expect(202);
      ids.push(response.body.id);
    }
    await Promise.all(ids.map((id) => routed.waitFor(id)));
    routed.stop();

    const queues = await request(stack.router.url)
      .get('/v1/queues')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    const depthOf = (queueId: string) =>
      queues.body.queues.find((q: { id: string }) => q.id === queueId)?.depth;
    expect(depthOf('billing') + depthOf('general')).toBe(2);

    const first = await request(stack.router.url)
      .post('/v1/agents/agent-1/claim')
      .set('Authorization', `Bearer ${testKeys.agent('agent-1')}`)
      .expect(200);
    expect(first.body.ticket.id).toBe(ids[1]);
    const second = await request(stack.router.url)
      .post('/v1/agents/agent-1/claim')
      .set('Authorization', `Bearer ${testKeys.agent('agent-1')}`)
      .expect(200);
    expect(second.body.ticket.id).toBe(ids[0]);
    expect(first.body.ticket.priority.score).toBeGreaterThan(second.body.ticket.priority.score);
  });
});
