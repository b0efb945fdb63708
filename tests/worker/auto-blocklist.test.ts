import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jobIds, pipelineJobQueues } from '@triage/shared/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testAgents, testKeys, type TestStack } from '../support/test-stack';
import { watchJobs } from '../router/support/job-events';

const keys = {
  wang: 'test-supervisor-wang-0001',
  li: 'test-supervisor-li-0001',
};
const admin = `Bearer ${testKeys.admin}`;
const crm = `Bearer ${testKeys.crm}`;
const HOUR = 3_600_000;

/** Abusive complaints, Chinese and English: each matches the shipped classify/abusive-contact rule. */
const abusive = [
  buildComplaint({ subject: '投诉', body: '你们这帮王八蛋，再不退钱我找人收拾你！' }),
  buildEnglishComplaint({ subject: 'Refund', body: 'You idiot, refund my fee now or else.' }),
  buildComplaint({ subject: '扣费', body: '傻逼客服，重复扣费还不处理，你们等着。' }),
  buildEnglishComplaint({ subject: 'Fees', body: 'Fuck you and your fees, I want my money back.' }),
  buildComplaint({ subject: '退款', body: '混蛋！我的钱到底什么时候退？' }),
];

/**
 * The test copy of rules/blocklist.json: the shipped repeated-abuse rule with supervisor:wang as
 * its reviewer, and a rule for silver customers whose listing must be confirmed within ~1.8 s,
 * so its deadline passes during the test.
 */
function testBlocklistRules(shipped: { rules: Array<Record<string, unknown>> }) {
  const repeated = shipped.rules.find((rule) => rule.name === 'repeated-abuse') as {
    event: { params: Record<string, unknown> };
  };
  return {
    ...shipped,
    rules: [
      {
        name: 'quick-lapse',
        priority: 200,
        conditions: {
          all: [
            {
              fact: 'taggedWithin',
              params: { hours: 24, tag: 'abuse' },
              operator: 'greaterThanInclusive',
              value: 3,
            },
            { fact: 'customerTier', operator: 'equal', value: 'silver' },
          ],
        },
        event: {
          type: 'blocklist',
          params: {
            period: 'day',
            reviewer: 'supervisor:wang',
            confirmWithinHours: 0.0005,
            reason: 'test: quick lapse',
          },
        },
      },
      {
        ...repeated,
        event: { ...repeated.event, params: { ...repeated.event.params, reviewer: 'supervisor:wang' } },
      },
    ],
  };
}

describe('automatic blocklisting by rules (rules/blocklist.json), over HTTP on the real stack', () => {
  let stack: TestStack;
  let rulesDir: string;

  beforeAll(async () => {
    rulesDir = await mkdtemp(path.join(tmpdir(), 'triage-auto-block-'));
    await cp(path.resolve('rules'), rulesDir, { recursive: true });
    const shipped = JSON.parse(await readFile(path.join(rulesDir, 'blocklist.json'), 'utf8'));
    await writeFile(path.join(rulesDir, 'blocklist.json'), JSON.stringify(testBlocklistRules(shipped)));
    stack = await startTestStack('autoblock', {
      RULES_WATCH: 'false',
      RULES_DIR: rulesDir,
      API_KEYS: [
        `${testKeys.crm}:crm:test-crm`,
        `${testKeys.admin}:admin:test-admin`,
        ...testAgents.map((agentId) => `${testKeys.agent(agentId)}:agent:${agentId}`),
        `${keys.wang}:supervisor:wang`,
        `${keys.li}:supervisor:li`,
      ].join(','),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  async function readComplaint(id: string) {
    return (await request(stack.intake.url).get(`/v1/complaints/${id}`).set('Authorization', crm).expect(200))
      .body;
  }

  async function submitAndRoute(customer: { id: string; tier: string }, complaint: object) {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', crm)
      .send({ ...complaint, customer })
      .expect(202);
    await routed.waitFor(accepted.body.id);
    routed.stop();
    return readComplaint(accepted.body.id);
  }

  const entryOf = (customerId: string) =>
    request(stack.worker.url).get(`/v1/blocklist/${customerId}`).set('Authorization', admin);
  const confirm = (
    customerId: string,
    authorization: string | undefined,
    body: object = { reason: 'Reviewed the calls' },
  ) => {
    const call = request(stack.worker.url).post(`/v1/blocklist/${customerId}/confirm`).send(body);
    return authorization ? call.set('Authorization', authorization) : call;
  };
  const eventTypes = (complaint: { events: Array<{ type: string }> }) =>
    complaint.events.map((event) => event.type);

  const repeat = { id: 'c-auto-repeat', tier: 'standard' };
  let fifthId = '';

  it('when a customer sends a fifth abusive complaint (Chinese and English) within 24 h, then the rule lists them, pending its reviewer, and the complaint records it', async () => {
    const decided = [];
    for (const [index, complaint] of abusive.entries()) {
      decided.push(await submitAndRoute(repeat, complaint));
      if (index === 3) await entryOf(repeat.id).expect(404);
    }
    for (const complaint of decided) {
      expect(complaint.decision).toMatchObject({ category: 'abusive-contact', queue: 'abuse-review' });
      expect(complaint.decision.tags).toContain('abuse');
    }
    const fifth = decided[4];
    fifthId = fifth._id ?? fifth.id;

    const entry = (await entryOf(repeat.id).expect(200)).body;
    expect(entry).toMatchObject({
      customerId: repeat.id,
      status: 'pending-confirmation',
      addedBy: 'rule:repeated-abuse',
      owner: 'rule:repeated-abuse',
      reviewer: 'supervisor:wang',
      listingId: fifthId,
      reason: '5 or more abusive complaints in 24 hours',
      removedAt: null,
      active: true,
    });
    const addedAt = Date.parse(entry.addedAt);
    expect(Date.parse(entry.confirmBy) - addedAt).toBe(24 * HOUR);
    expect(Date.parse(entry.until) - addedAt).toBe(7 * 24 * HOUR);
    expect(entry.history).toEqual([
      expect.objectContaining({
        action: 'auto-listed',
        by: 'rule:repeated-abuse',
        reviewer: 'supervisor:wang',
        confirmBy: entry.confirmBy,
        complaintId: fifthId,
      }),
    ]);

    const stored = await readComplaint(fifthId);
    expect(eventTypes(stored)).toEqual([
      'received',
      'enqueued',
      'triaged',
      'blocklist.auto-listed',
      'queued',
    ]);
    expect(stored.events[3]).toMatchObject({
      actor: 'rule:repeated-abuse',
      data: {
        customerId: repeat.id,
        rule: 'repeated-abuse',
        reviewer: 'supervisor:wang',
        period: 'week',
        confirmBy: entry.confirmBy,
      },
    });
    // The earlier four complaints listed nobody.
    for (const complaint of decided.slice(0, 4)) {
      expect(eventTypes(await readComplaint(complaint._id ?? complaint.id))).not.toContain(
        'blocklist.auto-listed',
      );
    }
  });

  it('when the listed customer complains again, then the complaint is stored, flagged blocklisted and routed to abuse review', async () => {
    const sixth = await submitAndRoute(
      repeat,
      buildEnglishComplaint({
        subject: 'Card fee',
        body: 'You charged my card twice this month. Please refund it.',
      }),
    );
    expect(sixth.status).toBe('queued');
    expect(sixth.decision).toMatchObject({ category: 'billing', queue: 'abuse-review' });
    expect(sixth.decision.flags).toContain('blocklisted');
    expect(sixth.ticket).toMatchObject({ queue: 'abuse-review' });
    expect(eventTypes(sixth)).not.toContain('blocklist.auto-listed');
    const entry = (await entryOf(repeat.id).expect(200)).body;
    expect(entry.listingId).toBe(fifthId);
    expect(entry.history).toHaveLength(1);
  });

  it('when the triage job of the listing complaint is replayed, then the customer is not listed twice and nothing is counted or recorded again', async () => {
    const before = (await entryOf(repeat.id).expect(200)).body;
    const connection = new Redis(stack.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    const triage = new Queue(pipelineJobQueues.triage, { connection, prefix: stack.env.QUEUE_PREFIX });
    try {
      const triaged = watchCompletedJobs(stack.worker.worker);
      await triage.remove(jobIds.triage(fifthId));
      await triage.add('triage', { complaintId: fifthId }, { jobId: jobIds.triage(fifthId) });
      await expect(triaged.waitFor(fifthId)).resolves.toBe('already-triaged');
      triaged.stop();
    } finally {
      await triage.close();
      await connection.quit();
    }
    const after = (await entryOf(repeat.id).expect(200)).body;
    expect(after).toEqual(before);
    const stored = await readComplaint(fifthId);
    expect(eventTypes(stored).filter((type) => type === 'blocklist.auto-listed')).toHaveLength(1);
  });

  it('when anyone but the named reviewer or an admin confirms, then 403 (another supervisor, an agent, a CRM key), 401 without a key, 400 without a reason', async () => {
    const refused = await confirm(repeat.id, `Bearer ${keys.li}`).expect(403);
    expect(refused.body.detail).toMatch(/supervisor:wang/);
    await confirm(repeat.id, `Bearer ${testKeys.agent('agent-1')}`).expect(403);
    await confirm(repeat.id, crm).expect(403);
    await confirm(repeat.id, undefined).expect(401);
    expect((await confirm(repeat.id, `Bearer ${keys.wang}`, {}).expect(400)).body.errors).toEqual([
      { path: '/reason', message: expect.any(String) },
    ]);
    await confirm('nobody-ever', `Bearer ${keys.wang}`).expect(404);
    expect((await entryOf(repeat.id).expect(200)).body.status).toBe('pending-confirmation');
  });

  it('when the named reviewer confirms in time, then the listing stands, with who and why on the entry and on the complaint', async () => {
    const confirmed = (
      await confirm(repeat.id, `Bearer ${keys.wang}`, { reason: '复核通话录音，确认辱骂' }).expect(200)
    ).body;
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      confirmedBy: 'supervisor:wang',
      active: true,
      owner: 'rule:repeated-abuse',
    });
    expect(confirmed.history.map((event: { action: string }) => event.action)).toEqual([
      'auto-listed',
      'confirmed',
    ]);
    expect(confirmed.history[1]).toMatchObject({ by: 'supervisor:wang', reason: '复核通话录音，确认辱骂' });
    const stored = await readComplaint(fifthId);
    expect(
      stored.events.find((event: { type: string }) => event.type === 'blocklist.confirmed'),
    ).toMatchObject({
      actor: 'supervisor:wang',
      data: { customerId: repeat.id, listingId: fifthId, reason: '复核通话录音，确认辱骂' },
    });
    await confirm(repeat.id, `Bearer ${keys.wang}`).expect(409);
  });

  it('when an admin has blocked a customer, then a rule never overwrites the entry', async () => {
    const manual = { id: 'c-auto-manual', tier: 'standard' };
    const until = new Date(Date.now() + 30 * 24 * HOUR).toISOString();
    await request(stack.worker.url)
      .put(`/v1/blocklist/${manual.id}`)
      .set('Authorization', admin)
      .send({ until, reason: 'Threatened staff at the branch' })
      .expect(201);
    for (const complaint of abusive) await submitAndRoute(manual, complaint);
    const entry = (await entryOf(manual.id).expect(200)).body;
    expect(entry).toMatchObject({
      addedBy: 'admin:test-admin',
      status: 'active',
      until,
      owner: null,
      reviewer: null,
    });
    expect(entry.history.map((event: { action: string }) => event.action)).toEqual(['blocked']);
    await confirm(manual.id, admin).expect(409);
  });

  it('when nobody confirms a listing by its deadline, then it lapses: removed, with the reason on the entry and the complaint, and the next complaint is not flagged', async () => {
    const lapsing = { id: 'c-auto-lapse', tier: 'silver' };
    const lapses = watchJobs(stack.worker.deadlineWorker);
    let third = { _id: '', id: '' };
    for (const complaint of abusive.slice(0, 3)) third = await submitAndRoute(lapsing, complaint);
    const thirdId = third._id || third.id;
    const pending = (await entryOf(lapsing.id).expect(200)).body;
    expect(pending).toMatchObject({
      owner: 'rule:quick-lapse',
      status: 'pending-confirmation',
      listingId: thirdId,
    });
    expect(Date.parse(pending.confirmBy) - Date.parse(pending.addedAt)).toBe(0.0005 * HOUR);

    const done = await lapses.waitFor((job) => job.data.customerId === lapsing.id, 20_000, 'the lapse');
    lapses.stop();
    expect(done.result).toBe('lapsed');
    const lapsed = (await entryOf(lapsing.id).expect(200)).body;
    expect(lapsed).toMatchObject({
      status: 'lapsed',
      active: false,
      removedBy: 'worker:confirmation-deadline',
      removalReason: 'not confirmed by supervisor:wang in time',
    });
    expect(lapsed.history.map((event: { action: string }) => event.action)).toEqual([
      'auto-listed',
      'lapsed',
    ]);
    const stored = await readComplaint(thirdId);
    expect(stored.events.find((event: { type: string }) => event.type === 'blocklist.lapsed')).toMatchObject({
      actor: 'worker:confirmation-deadline',
      data: { customerId: lapsing.id, reason: 'not confirmed by supervisor:wang in time' },
    });
    await confirm(lapsing.id, `Bearer ${keys.wang}`).expect(409);

    const next = await submitAndRoute(
      lapsing,
      buildEnglishComplaint({
        subject: 'Card fee',
        body: 'You charged my card twice this month. Please refund it.',
      }),
    );
    expect(next.decision.flags).not.toContain('blocklisted');
    // Routed as any repeat complainant is (severity/repeat-complainant), no longer to abuse review.
    expect(next.decision.queue).toBe('escalations');
    expect(next.decision.firedRules.map((rule: { rule: string }) => rule.rule)).not.toContain(
      'blocklisted-caller',
    );
    // Listed by rules: the repeat customer and this one (the admin's entry was left alone); one lapse.
    const metrics = (await request(stack.worker.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/triage_blocklist_rule_listings_total\{event="listed",service="worker"\} 2\n/);
    expect(metrics).toMatch(/triage_blocklist_rule_listings_total\{event="lapsed",service="worker"\} 1\n/);
    // The evidence of the lapsed listing does not list the customer again.
    expect((await entryOf(lapsing.id).expect(200)).body).toMatchObject({
      status: 'lapsed',
      listingId: thirdId,
    });
  });

  it('when an admin validates a broken blocklist.json, then every error names the file and JSON path; a dry run shows which blocklist rules would fire', async () => {
    const broken = {
      stage: 'blocklist',
      rules: [
        {
          name: 'no-reviewer',
          conditions: {
            all: [
              { fact: 'taggedWithin', params: { hours: 2000 }, operator: 'greaterThanInclusive', value: 5 },
            ],
          },
          event: { type: 'blocklist', params: { period: 'year', confirmWithinHours: 4, reason: 'x' } },
        },
      ],
    };
    const schemaErrors = await request(stack.worker.url)
      .post('/v1/rules/validate')
      .set('Authorization', admin)
      .send({ files: { 'blocklist.json': broken } })
      .expect(200);
    expect(schemaErrors.body.ok).toBe(false);
    expect(schemaErrors.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'blocklist.json', path: '/rules/0/event/params/period' }),
        expect.objectContaining({ file: 'blocklist.json', path: '/rules/0/event/params/reviewer' }),
      ]),
    );
    const withReviewer = structuredClone(broken);
    withReviewer.rules[0]!.event.params = {
      period: 'week',
      reviewer: 'supervisor:wang',
      confirmWithinHours: 4,
      reason: 'x',
    } as never;
    const checkErrors = await request(stack.worker.url)
      .post('/v1/rules/validate')
      .set('Authorization', admin)
      .send({ files: { 'blocklist.json': withReviewer } })
      .expect(200);
    expect(checkErrors.body.errors).toEqual([
      {
        file: 'blocklist.json',
        path: '/rules/0/conditions/all/0/params/hours',
        message: expect.stringMatching(/at most 744/),
      },
      {
        file: 'blocklist.json',
        path: '/rules/0/conditions/all/0/params/tag',
        message: expect.stringMatching(/needs params.tag/),
      },
    ]);

    const dryRun = await request(stack.worker.url)
      .post('/v1/rules/dry-run')
      .set('Authorization', admin)
      .send({
        complaint: {
          customer: { id: 'x' },
          channel: 'phone',
          body: '你们这帮王八蛋，退钱！',
          language: 'zh-CN',
        },
        history: { triaged: [{ hoursAgo: 3, count: 4, tags: ['abuse'] }] },
        receivedAt: '2026-03-06T17:00:00+08:00',
      })
      .expect(200);
    expect(dryRun.body.decision.category).toBe('abusive-contact');
    expect(dryRun.body.blocklist.fired.map((rule: { rule: string }) => rule.rule)).toEqual([
      'repeated-abuse',
    ]);
    expect(dryRun.body.blocklist.listing).toMatchObject({
      owner: 'rule:repeated-abuse',
      period: 'week',
      reviewer: 'supervisor:wang',
      confirmBy: '2026-03-07T09:00:00.000Z',
      until: '2026-03-13T09:00:00.000Z',
    });
  });
});
