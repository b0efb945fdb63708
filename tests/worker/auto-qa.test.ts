import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { pipelineJobQueues, type QaJob } from '@triage/shared/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import { watchJobs } from '../router/support/job-events';

const admin = { Authorization: `Bearer ${testKeys.admin}` };
const as = (agentId: string) => ({ Authorization: `Bearer ${testKeys.agent(agentId)}` });

type QaRuleFile = {
  rules: Array<{ name: string; event: { params: Record<string, unknown> } }>;
};
const shippedQa = () => JSON.parse(readFileSync(path.resolve('rules', 'qa.json'), 'utf8')) as QaRuleFile;

describe('auto-QA: a ticket worked over HTTP is scored by rules/qa.json when it closes', () => {
  let stack: TestStack;
  let qaJobs: ReturnType<typeof watchJobs<QaJob>>;
  const ids: { apologised?: string; forbidden?: string } = {};

  beforeAll(async () => {
    stack = await startTestStack('autoqa', { RULES_WATCH: 'false' });
    qaJobs = watchJobs(stack.worker.qaWorker);
    await stack.router.agents.upsert({
      _id: 'agent-1',
      name: 'Sam Ortiz',
      skills: ['general', 'billing'],
      capacity: 5,
      online: true,
    });
    await stack.router.agents.upsert({
      _id: 'agent-3',
      name: 'Zhao Lei',
      skills: ['escalations', 'zh'],
      capacity: 5,
      online: true,
    });
  });

  afterAll(async () => {
    qaJobs?.stop();
    await stack?.stop();
  });

  /** Posts a complaint to intake and waits until the router has queued it. */
  async function queued(complaint: object): Promise<string> {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(complaint)
      .expect(202);
    await routed.waitFor(accepted.body.id);
    routed.stop();
    return accepted.body.id as string;
  }

  /** An agent claims, acknowledges, writes notes, resolves with a code and closes; returns the stored complaint once QA ran. */
  async function workAndClose(
    agentId: string,
    id: string,
    notes: Array<{ text: string; visibility: 'internal' | 'customer' }>,
    resolution: object,
  ) {
    const router = stack.router.url;
    const claimed = await request(router).post(`/v1/agents/${agentId}/claim`).set(as(agentId)).expect(200);
    expect(claimed.body.ticket.id).toBe(id);
    await request(router).post(`/v1/tickets/${id}/ack`).set(as(agentId)).expect(200);
    for (const note of notes)
      await request(router).post(`/v1/tickets/${id}/notes`).set(as(agentId)).send(note).expect(201);
    await request(router).post(`/v1/tickets/${id}/resolve`).set(as(agentId)).send(resolution).expect(200);
    await request(router).post(`/v1/tickets/${id}/close`).set(as(agentId)).expect(200);
    const job = await qaJobs.waitFor((item) => item.data.complaintId === id, 20_000, `qa job of ${id}`);
    expect(job.data).toMatchObject({ complaintId: id, closeNumber: 0 });
    expect(job.result).toBe('scored');
    const stored = await request(stack.intake.url)
      .get(`/v1/complaints/${id}`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    return stored.body;
  }

  it('when a Chinese legal-threat ticket is answered on time with an apology and a resolution code, then the escalations card scores it 100 with the rules that decided each criterion', async () => {
    const id = await queued(buildComplaint({ body: '信用卡被重复扣费两次，再不退款我就找律师起诉你们。' }));
    ids.apologised = id;
    const complaint = await workAndClose(
      'agent-3',
      id,
      [
        { text: '已核实重复扣款记录', visibility: 'internal' },
        { text: '非常抱歉给您带来不便，重复扣款已退回您的信用卡。', visibility: 'customer' },
      ],
      { resolutionCode: 'refunded', summary: '重复扣款已退还' },
    );

    expect(complaint.status).toBe('closed');
    expect(complaint.qa).toMatchObject({
      closeNumber: 0,
      scorecard: 'escalations',
      score: 100,
      fatal: false,
      fatalCriteria: [],
      tags: [],
      pendingManual: ['regulatory-wording'],
      notScored: expect.arrayContaining(['follow-ups-kept', 'customer-satisfaction']),
      rulesetVersion: stack.worker.rules.status().version,
    });
    const byCriterion = Object.fromEntries(
      complaint.qa.auto.map((c: { criterion: string }) => [c.criterion, c]),
    );
    expect(Object.keys(byCriterion).sort()).toEqual([
      'apology',
      'first-response-on-time',
      'no-forbidden-phrases',
      'resolution-code',
      'resolved-on-time',
    ]);
    expect(byCriterion.apology).toMatchObject({
      result: 'pass',
      points: 10,
      maxPoints: 10,
      by: 'qa/apology-given',
      reason: expect.stringContaining('致歉'),
    });
    expect(byCriterion['first-response-on-time']).toMatchObject({ result: 'pass', points: 20 });
    expect(byCriterion['resolution-code']).toMatchObject({
      result: 'pass',
      by: 'qa/resolution-code-present',
    });
    // The trace explains the apology: the fact's value and the keyword that matched.
    const apologyTrace = complaint.qa.trace.find((rule: { rule: string }) => rule.rule === 'apology-given');
    expect(apologyTrace).toMatchObject({ stage: 'qa', fired: true });
    expect(JSON.stringify(apologyTrace.conditions)).toContain('"matched":["抱歉"]');
    expect(complaint.events.at(-1)).toMatchObject({
      type: 'qa.auto-scored',
      actor: 'worker',
      data: { scorecard: 'escalations', score: 100, fatal: false },
    });
  });

  it('when an agent tells the customer "not my problem", then the fatal criterion fails and the QA score is 0', async () => {
    const id = await queued(buildEnglishComplaint());
    ids.forbidden = id;
    const complaint = await workAndClose(
      'agent-1',
      id,
      [{ text: "Honestly, that's not my problem. Ask your bank.", visibility: 'customer' }],
      { resolutionCode: 'explained' },
    );

    expect(complaint.qa).toMatchObject({
      scorecard: 'standard',
      score: 0,
      fatal: true,
      fatalCriteria: ['no-forbidden-phrases'],
      tags: ['forbidden-phrase'],
    });
    expect(complaint.qa.points).toBeGreaterThan(0); // the other criteria still earned points
    expect(complaint.qa.auto).toContainEqual(
      expect.objectContaining({
        criterion: 'no-forbidden-phrases',
        result: 'fail',
        fatal: true,
        by: 'qa/forbidden-phrase',
      }),
    );
    expect(complaint.qa.firedRules.map((rule: { rule: string }) => rule.rule)).toEqual(
      expect.arrayContaining(['forbidden-phrase', 'professional-wording', 'resolution-code-present']),
    );
  });

  it('when the same close is scored again (a duplicate job), then nothing changes: one result, one qa.auto-scored event', async () => {
    const id = ids.apologised!;
    const before = await stack.router.tickets.findById(id);
    const connection = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const queue = new Queue<QaJob>(pipelineJobQueues.qa, { connection, prefix: stack.env.QUEUE_PREFIX! });
    try {
      await queue.add('qa', { complaintId: id, closeNumber: 0 }, { jobId: `qa-duplicate-${id}` });
      const job = await qaJobs.waitFor(
        (item) => item.data.complaintId === id && item.result !== 'scored',
        20_000,
        'duplicate qa job',
      );
      expect(job.result).toBe('already-scored');
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const after = await stack.router.tickets.findById(id);
    expect(after?.qa).toEqual(before?.qa);
    expect(after?.events.filter((e) => e.type === 'qa.auto-scored')).toHaveLength(1);
  });

  it('when an admin dry-runs the QA stage over a stored closed ticket, then it scores as the close did and shows the stored result', async () => {
    const response = await request(stack.worker.url)
      .post('/v1/rules/qa/dry-run')
      .set(admin)
      .send({ complaintId: ids.forbidden })
      .expect(200);
    expect(response.body).toMatchObject({
      complaintId: ids.forbidden,
      candidate: false,
      facts: {
        firstResponseMet: true,
        hasResolutionCode: true,
        resolutionCode: 'explained',
        customerNoteCount: 1,
        transferCount: 0,
        csatScore: null,
      },
      qa: { score: 0, fatal: true },
      stored: { score: 0, fatal: true, scorecard: 'standard' },
    });
    expect(response.body.stored.trace).toBeUndefined();

    const pretended = await request(stack.worker.url)
      .post('/v1/rules/qa/dry-run')
      .set(admin)
      .send({ complaintId: ids.forbidden, handling: { customerNotesText: 'Sorry, we have refunded it.' } })
      .expect(200);
    expect(pretended.body.qa).toMatchObject({ fatal: false, score: 100 });
  });

  it('when the candidate QA rules drop forbidden-phrase, then the replay over closed tickets shows the fatal score lifted', async () => {
    const candidate = shippedQa();
    candidate.rules = candidate.rules.filter((rule) => rule.name !== 'forbidden-phrase');
    const response = await request(stack.worker.url)
      .post('/v1/rules/qa/replay')
      .set(admin)
      .send({ files: { 'qa.json': candidate }, limit: 50 })
      .expect(200);
    expect(response.body).toMatchObject({
      limit: 50,
      compared: 2,
      changed: { any: 1, fatal: 1, score: 1, scorecard: 0 },
      fatalTransitions: { 'fatal → not fatal': 1 },
      storedScoresDiffer: 0,
      failures: [],
    });
    expect(response.body.examples).toEqual([
      expect.objectContaining({
        complaintId: ids.forbidden,
        from: expect.objectContaining({ score: 0, fatal: true }),
        to: expect.objectContaining({ score: 100, fatal: false }),
        criteria: { 'no-forbidden-phrases': 'fail 0 → pass 15' },
      }),
    ]);
  });

  it('when the same candidate is replayed with npm run rules -- qa-replay, then the CLI reports the same change', async () => {
    const candidate = shippedQa();
    candidate.rules = candidate.rules.filter((rule) => rule.name !== 'forbidden-phrase');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'triage-qa-rules-'));
    try {
      await cp('rules', dir, { recursive: true });
      await writeFile(path.join(dir, 'qa.json'), JSON.stringify(candidate, null, 2));
      const { code, output } = await new Promise<{ code: number | null; output: string }>(
        (resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              path.resolve('tools', 'rules-cli.ts'),
              'qa-replay',
              '--mongo',
              stack.env.MONGO_URL!,
              '--dir',
              dir,
              '--json',
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let text = '';
          child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
          child.once('error', reject);
          child.once('exit', (exitCode) => resolve({ code: exitCode, output: text }));
        },
      );
      expect(code).toBe(0);
      expect(JSON.parse(output.slice(output.indexOf('{')))).toMatchObject({
        compared: 2,
        changed: { any: 1, fatal: 1 },
        fatalTransitions: { 'fatal → not fatal': 1 },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('when a QA rule names an unknown criterion, then validate and the QA dry-run name the file and the JSON path', async () => {
    const broken = shippedQa();
    broken.rules[0]!.event.params.criterion = 'made-up';
    const validated = await request(stack.worker.url)
      .post('/v1/rules/validate')
      .set(admin)
      .send({ files: { 'qa.json': broken } })
      .expect(200);
    expect(validated.body).toMatchObject({ ok: false, version: null });
    expect(validated.body.errors).toEqual([
      {
        file: 'qa.json',
        path: '/rules/0/event/params/criterion',
        message: 'unknown criterion "made-up" (rules/qa-scorecards.json)',
      },
    ]);

    const dryRun = await request(stack.worker.url)
      .post('/v1/rules/qa/dry-run')
      .set(admin)
      .send({ handling: { severity: 'high' }, files: { 'qa.json': broken } })
      .expect(400);
    expect(dryRun.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(dryRun.body.errors).toEqual([
      expect.objectContaining({ path: '/files/qa.json/rules/0/event/params/criterion' }),
    ]);
  });

  it('when a scorecard file is broken, then validate names qa-scorecards.json and the JSON path', async () => {
    const cards = JSON.parse(readFileSync(path.resolve('rules', 'qa-scorecards.json'), 'utf8')) as {
      scorecards: Array<{ criteria: Array<Record<string, unknown>>; appliesTo?: Record<string, unknown> }>;
    };
    cards.scorecards[0]!.criteria[0]!.fatal = 'yes';
    cards.scorecards[0]!.appliesTo = { queues: ['nowhere'] };
    const response = await request(stack.worker.url)
      .post('/v1/rules/validate')
      .set(admin)
      .send({ files: { 'qa-scorecards.json': cards } })
      .expect(200);
    expect(response.body.ok).toBe(false);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ file: 'qa-scorecards.json', path: '/scorecards/0/criteria/0/fatal' }),
    ]);
    cards.scorecards[0]!.criteria[0]!.fatal = true;
    const unknownQueue = await request(stack.worker.url)
      .post('/v1/rules/validate')
      .set(admin)
      .send({ files: { 'qa-scorecards.json': cards } })
      .expect(200);
    expect(unknownQueue.body.errors).toEqual([
      {
        file: 'qa-scorecards.json',
        path: '/scorecards/0/appliesTo/queues/0',
        message: 'unknown queue "nowhere" (rules/queues.json)',
      },
    ]);
  });

  it('when an agent or a CRM key asks for the QA tools, then 403 problem+json', async () => {
    for (const key of [testKeys.agent('agent-1'), testKeys.crm]) {
      for (const tool of ['/v1/rules/qa/dry-run', '/v1/rules/qa/replay']) {
        const response = await request(stack.worker.url)
          .post(tool)
          .set('Authorization', `Bearer ${key}`)
          .send({ handling: {} })
          .expect(403);
        expect(response.body).toMatchObject({ status: 403, title: 'Forbidden' });
      }
    }
  });
});
