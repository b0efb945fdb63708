import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import { addAllRoundAgent, assignAckResolve } from '../support/ticket-work';
import { watchJobs } from './support/job-events';

const keys = {
  supervisor: 'qa-test-supervisor-key',
  lin: 'qa-test-reviewer-lin',
  zhou: 'qa-test-reviewer-zhou',
};

describe('QA reviews: closed tickets drawn by the sampling plan, scored by reviewers, disputed once, settled', () => {
  let stack: TestStack;
  let rulesDir: string;
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const admin = as(testKeys.admin);
  const supervisor = as(keys.supervisor);
  const lin = as(keys.lin);
  const zhou = as(keys.zhou);
  const agent1 = as(testKeys.agent('agent-1'));
  const agent2 = as(testKeys.agent('agent-2'));

  beforeAll(async () => {
    // No random draw: only the targeted kinds open reviews, so each test knows what to expect.
    rulesDir = await mkdtemp(path.join(os.tmpdir(), 'triage-qa-rules-'));
    await cp('rules', rulesDir, { recursive: true });
    const file = path.join(rulesDir, 'qa-sampling.json');
    const plan = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...plan, random: { percentPerAgentPerWeek: 0 } }));
    stack = await startTestStack('qa-reviews', {
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
    await stack.router.agents.upsert({
      _id: 'agent-2',
      name: 'Agent Two',
      skills: ['general'],
      capacity: 5,
      online: true,
    });
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  /** A complaint worked by agent-1 and closed (optionally with a customer note, reopened once first). */
  async function closedTicket(options: { note?: string; reopen?: boolean; english?: boolean } = {}) {
    const routed = watchJobs(stack.router.routeWorker);
    const qa = watchJobs(stack.worker.qaWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set(as(testKeys.crm))
      .send(options.english ? buildEnglishComplaint() : buildComplaint())
      .expect(202);
    const id = accepted.body.id as string;
    await routed.waitFor((job) => job.data.complaintId === id, 20_000, 'routing');
    routed.stop();
    const work = async () => {
      await assignAckResolve(
        stack.router.url,
        id,
        { admin: testKeys.admin, agent: testKeys.agent('agent-1'), agentId: 'agent-1' },
        { resolutionCode: 'explained' },
      );
      // What the agent wrote to the customer (the auto-QA reads it at the close).
      if (options.note)
        await request(stack.router.url)
          .post(`/v1/tickets/${id}/notes`)
          .set(agent1)
          .send({ text: options.note, visibility: 'customer' })
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

  const reviewsOf = async (complaintId: string) =>
    (await request(stack.router.url).get('/v1/qa/reviews').set(supervisor).expect(200)).body.reviews.filter(
      (review: { complaintId: string }) => review.complaintId === complaintId,
    );

  it('when a reopened ticket closes, then one review opens; a reviewer takes it, scores the manual criteria, the agent disputes once and a supervisor settles', async () => {
    const id = await closedTicket({ reopen: true, note: '非常抱歉给您带来不便，已为您处理。' });
    const [opened] = await reviewsOf(id);
    expect(opened).toMatchObject({
      status: 'open',
      reasons: ['reopened'],
      agentId: 'agent-1',
      closeNumber: 1,
      reviewer: null,
    });

    // The agent sees nothing before it is scored; a CRM may not look at all.
    expect(
      (await request(stack.router.url).get('/v1/qa/reviews').set(agent1).expect(200)).body.reviews,
    ).toEqual([]);
    await request(stack.router.url).get('/v1/qa/reviews').set(as(testKeys.crm)).expect(403);

    const taken = await request(stack.router.url).post('/v1/qa/reviews/next').set(lin).expect(200);
    expect(taken.body.review).toMatchObject({ _id: opened._id, status: 'assigned', reviewer: 'qa:lin' });
    // Another reviewer can neither read nor score it; an agent cannot score at all.
    await request(stack.router.url).get(`/v1/qa/reviews/${opened._id}`).set(zhou).expect(404);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/score`)
      .set(zhou)
      .send({ scores: [] })
      .expect(404);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/score`)
      .set(agent1)
      .send({ scores: [] })
      .expect(403);

    const detail = await request(stack.router.url).get(`/v1/qa/reviews/${opened._id}`).set(lin).expect(200);
    expect(detail.body.ticket.id).toBe(id);
    expect(detail.body.qa).toMatchObject({ scorecard: expect.any(String), closeNumber: 1 });
    const manual = detail.body.manualCriteria as Array<{ id: string; points: number }>;
    expect(manual.length).toBeGreaterThan(0);

    const wrong = await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/score`)
      .set(lin)
      .send({ scores: [{ criterion: 'no-such-criterion', result: 'pass' }] })
      .expect(400);
    expect(wrong.body.errors.map((error: { path: string }) => error.path)).toEqual(
      expect.arrayContaining(['/scores/0/criterion', '/scores']),
    );

    const passAll = manual.map((criterion) => ({
      criterion: criterion.id,
      result: 'pass',
      comment: '用语规范 / wording fine',
    }));
    const scored = await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/score`)
      .set(lin)
      .send({ scores: passAll, comment: 'Handled well after the reopen.' })
      .expect(200);
    expect(scored.body.review).toMatchObject({
      status: 'scored',
      score: expect.any(Number),
      disputeUntil: expect.any(String),
    });
    const stored = await stack.router.tickets.findById(id);
    // The ticket's QA result now holds the reviewer's criteria beside the auto ones.
    expect(stored?.qa).toMatchObject({
      score: scored.body.review.score,
      reviewCount: 1,
      complete: true,
      pendingManual: [],
      manual: manual.map((criterion) =>
        expect.objectContaining({ criterion: criterion.id, result: 'pass', by: 'qa:lin' }),
      ),
    });
    expect(stored?.events).toContainEqual(
      expect.objectContaining({
        type: 'qa.reviewed',
        actor: 'qa:lin',
        data: expect.objectContaining({ reviewId: opened._id }),
      }),
    );

    // The agent now sees it, and disputes it once; another agent cannot.
    const own = await request(stack.router.url).get('/v1/qa/reviews').set(agent1).expect(200);
    expect(own.body.reviews.map((review: { _id: string }) => review._id)).toContain(opened._id);
    await request(stack.router.url).get(`/v1/qa/reviews/${opened._id}`).set(agent2).expect(404);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/dispute`)
      .set(agent2)
      .send({ reason: 'not mine' })
      .expect(404);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/dispute`)
      .set(agent1)
      .send({ reason: '客户第二次来电是新的问题，不应算作重开 / the second call was a new issue' })
      .expect(200);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/dispute`)
      .set(agent1)
      .send({ reason: 'again' })
      .expect(409);

    // Only a supervisor or admin settles; overturning needs corrected scores.
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/settle`)
      .set(lin)
      .send({ decision: 'upheld', reason: 'x' })
      .expect(403);
    await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/settle`)
      .set(supervisor)
      .send({ decision: 'overturned', reason: 'no scores' })
      .expect(400);
    const failFirst = manual.map((criterion, index) => ({
      criterion: criterion.id,
      result: index === 0 ? 'fail' : 'pass',
    }));
    const settled = await request(stack.router.url)
      .post(`/v1/qa/reviews/${opened._id}/settle`)
      .set(supervisor)
      .send({
        decision: 'overturned',
        reason: 'the final-answer letter lacked the regulator wording',
        scores: failFirst,
      })
      .expect(200);
    expect(settled.body.review).toMatchObject({
      status: 'settled',
      settlement: { by: 'supervisor:wang', decision: 'overturned' },
    });
    expect(settled.body.review.history.map((event: { type: string }) => event.type)).toEqual([
      'qa.review-opened',
      'qa.review-assigned',
      'qa.reviewed',
      'qa.disputed',
      'qa.dispute-settled',
    ]);
    const afterSettle = await stack.router.tickets.findById(id);
    expect(afterSettle?.qa).toMatchObject({ score: settled.body.review.score, reviewCount: 2 });
    expect(afterSettle?.qa?.manual?.[0]).toMatchObject({ result: 'fail', by: 'supervisor:wang' });
  });

  it('when a ticket closes with nothing to review, then no review opens; a low survey answer afterwards opens one', async () => {
    const id = await closedTicket({
      english: true,
      note: 'Sorry for the trouble; the duplicate charge is refunded.',
    });
    expect(await reviewsOf(id)).toEqual([]);
    const link = await request(stack.router.url).get(`/v1/tickets/${id}/survey`).set(admin).expect(200);
    await request(stack.router.url).post(new URL(link.body.url).pathname).send({ score: 1 }).expect(201);
    const [review] = await reviewsOf(id);
    expect(review).toMatchObject({ status: 'open', reasons: ['low-csat'] });
  });

  it('when the auto-QA finds a fatal phrase in what the agent wrote to the customer, then the sweep opens a review, once', async () => {
    const id = await closedTicket({ note: '这个问题不归我管，你自己看着办。' });
    const scoredQa = await stack.router.tickets.findById(id);
    expect(scoredQa?.qa).toMatchObject({ fatal: true, score: 0 });
    expect(await reviewsOf(id)).toEqual([]);
    expect((await stack.router.desk.sweep(0)).fatalQaOffered).toBeGreaterThanOrEqual(1);
    const [review] = await reviewsOf(id);
    expect(review?.reasons).toContain('fatal-auto-qa');
    await stack.router.desk.sweep(0);
    expect(await reviewsOf(id)).toHaveLength(1);
  });

  it('when a qa key reaches beyond reviews (tickets, queues, reports, agents, actions), then 403', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    await request(stack.router.url).get(`/v1/tickets/${id}`).set(lin).expect(403);
    await request(stack.router.url).get('/v1/queues').set(lin).expect(403);
    await request(stack.router.url).get('/v1/reports').set(lin).expect(403);
    await request(stack.router.url).get('/v1/agents').set(lin).expect(403);
    await request(stack.router.url).post(`/v1/tickets/${id}/close`).set(lin).send({}).expect(403);
    const stored = await request(stack.intake.url)
      .post('/v1/complaints')
      .set(as(testKeys.crm))
      .send(buildComplaint())
      .expect(202);
    await request(stack.intake.url).get(`/v1/complaints/${stored.body.id}`).set(lin).expect(403);
  });

  it('when the query is wrong, then 400 names it', async () => {
    const bad = await request(stack.router.url).get('/v1/qa/reviews?status=lost').set(supervisor).expect(400);
    expect(bad.body.errors[0].path).toBe('/status');
    await request(stack.router.url).get('/v1/qa/reviews/not-a-review').set(supervisor).expect(400);
  });
});
