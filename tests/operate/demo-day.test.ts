import request from 'supertest';
import { deliver, demoPayloads } from '../../tools/demo-loader';
import { runDemoDay } from '../../tools/demo/demo-day';
import { watchJobs } from '../router/support/job-events';
import { startTestStack, type TestStack } from '../support/test-stack';

const secret = 'test-generic-crm-secret-0002';
const keys = {
  admin: 'demo-day-admin-key',
  agents: { alice: 'demo-day-alice', wei: 'demo-day-wei', chen: 'demo-day-chen', bob: 'demo-day-bob' },
};

describe('the demo day: after the demo set, the demo agents work some of it so the ranking and CSAT are populated', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('demoday', {
      WEBHOOK_SECRETS: `generic-crm:${secret}`,
      SEED_AGENTS_FILE: 'tools/demo/agents.json',
      API_KEYS: [
        `${keys.admin}:admin:demo-admin`,
        ...Object.entries(keys.agents).map(([id, key]) => `${key}:agent:${id}`),
      ].join(','),
    });
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('when the demo day runs, then tickets are resolved by alice, wei and chen, their customers answer surveys, the ranking shows them, and Bob’s queues are left for his day', async () => {
    const routed = watchJobs(stack.router.routeWorker);
    const demo = demoPayloads();
    const tally = await deliver(stack.intake.url, 'generic-crm', secret, demo, 0, () => undefined);
    expect(tally.accepted).toBe(30);
    // Resolves when the 30th distinct route job completes (the match is asked on every completion).
    await routed.waitFor(
      () => new Set(routed.finished.map((job) => job.data.complaintId)).size >= 30,
      20_000,
      'routing',
    );
    routed.stop();

    const log: string[] = [];
    const day = await runDemoDay(
      stack.router.url,
      {
        admin: keys.admin,
        agents: { alice: keys.agents.alice, wei: keys.agents.wei, chen: keys.agents.chen },
      },
      30,
      (line) => log.push(line),
    );
    expect(log).toEqual([]);
    expect(day.resolved).toBeGreaterThanOrEqual(6);
    expect(day.surveysAnswered).toBe(day.resolved);

    const admin = `Bearer ${keys.admin}`;
    const report = await request(stack.router.url).get('/v1/reports').set('Authorization', admin).expect(200);
    const ranked = report.body.byAgent.filter(
      (agent: { composite: { score: number | null } }) => agent.composite.score !== null,
    );
    expect(ranked.map((agent: { id: string }) => agent.id).sort()).toEqual(['alice', 'chen', 'wei']);
    for (const agent of ranked) expect(agent.csat.responses).toBeGreaterThan(0);
    expect(report.body.totals.csat.responses).toBe(day.surveysAnswered);
    expect(report.body.totals.promises.kept).toBeGreaterThan(0);

    // Bob's queues were not touched: nothing of them is held, and his day starts with a claim.
    const { body } = await request(stack.router.url)
      .get('/v1/queues')
      .set('Authorization', admin)
      .expect(200);
    for (const queue of body.queues.filter((q: { id: string }) =>
      ['general', 'escalations', 'repeat-desk'].includes(q.id),
    ))
      expect({ queue: queue.id, active: queue.active }).toEqual({ queue: queue.id, active: 0 });
    const bob = `Bearer ${keys.agents.bob}`;
    await request(stack.router.url).post('/v1/agents/bob/claim').set('Authorization', bob).expect(200);
  });
});
