import { addBusinessMinutes, loadRuleset } from '@triage/rules';
import { verifyWebhookSignature } from '@triage/shared/http';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { routerJobIds } from '../../services/router/src/data-access/router-timers';
import { watchJobs } from './support/job-events';
import {
  adminKey,
  agentKey,
  routerEnv,
  secondScaleRules,
  seedTickets,
  startTestRouter,
} from './support/router-harness';
import { startWebhookReceiver } from './support/webhook-receiver';

const SECRET = 'follow-up-test-notify-secret';

describe('follow-up promises: timers like the SLA timers, reminded, escalated when missed, counted', () => {
  let router: RunningRouter;
  let env: Record<string, string>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rules: Awaited<ReturnType<typeof secondScaleRules>>;
  // lia, mei and ren work general; kai only billing.
  const agents = ['lia', 'mei', 'ren', 'kai'];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // Reminders 1.2 s before a promise is due; a missed general promise is posted to the receiver.
    rules = await secondScaleRules({
      firstResponseMinutes: 60,
      resolutionMinutes: 240,
      followUps: { general: { remindBeforeMinutes: 0.02, notify: receiver.url } },
    });
    env = routerEnv('follow-ups', agents, {
      RULES_DIR: rules.dir,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      API_KEYS: [
        `${adminKey}:admin:router-admin`,
        'follow-up-test-crm-key:crm:crm-one',
        ...agents.map((id) => `${agentKey(id)}:agent:${id}`),
      ].join(','),
    });
    router = await startTestRouter(env);
    for (const id of ['lia', 'mei', 'ren'])
      await router.agents.upsert({ _id: id, name: id, skills: ['general'], capacity: 5, online: true });
    await router.agents.upsert({ _id: 'kai', name: 'Kai', skills: ['billing'], capacity: 5, online: true });
  });

  afterAll(async () => {
    await router?.stop();
    await receiver?.stop();
    await rules?.remove();
  });

  const as = (who: string) => ({
    Authorization: `Bearer ${who === 'admin' ? adminKey : who === 'crm' ? 'follow-up-test-crm-key' : agentKey(who)}`,
  });
  const promise = (id: string, who: string, body: unknown) =>
    request(router.url)
      .post(`/v1/tickets/${id}/follow-ups`)
      .set(as(who))
      .send(body as object);
  const held = async (who: string) => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 900 }]);
    const claimed = await request(router.url).post(`/v1/agents/${who}/claim`).set(as(who)).expect(200);
    expect(claimed.body.ticket.id).toBe(id);
    return id!;
  };

  it('when the agent promises a call-back and does not keep it, then they are reminded before it is due, and at the due time it is missed, escalated and posted once', async () => {
    const followUps = watchJobs(router.followUpWorker);
    const id = await held('lia');
    const dueAt = new Date(Date.now() + 3_000);
    const made = await promise(id, 'lia', {
      dueAt: dueAt.toISOString(),
      note: '答应客户今天下午回电，确认退款是否到账',
    }).expect(201);
    const followUpId = made.body.followUp.id as string;
    expect(made.body.followUp).toMatchObject({
      status: 'pending',
      note: '答应客户今天下午回电，确认退款是否到账',
      dueAt: dueAt.toISOString(),
      remindAt: new Date(dueAt.getTime() - 1_200).toISOString(),
      createdBy: 'agent:lia',
      agentId: 'lia',
    });

    const reminded = await followUps.waitFor(
      (job) => job.data.followUpId === followUpId && job.data.kind === 'remind',
      10_000,
      'the reminder',
    );
    expect(reminded.result).toBe('reminded');
    expect(reminded.finishedAt).toBeLessThan(dueAt.getTime());
    const beforeDue = await request(router.url).get(`/v1/tickets/${id}`).set(as('lia')).expect(200);
    expect(beforeDue.body.followUps[0]).toMatchObject({ status: 'pending', remindedAt: expect.any(String) });
    expect(beforeDue.body.ticket.pendingFollowUps).toEqual([
      expect.objectContaining({ id: followUpId, remindedAt: expect.any(String) }),
    ]);
    expect(beforeDue.body.events).toContainEqual(
      expect.objectContaining({
        type: 'follow-up.reminder',
        data: expect.objectContaining({ agentId: 'lia' }),
      }),
    );

    const due = await followUps.waitFor(
      (job) => job.data.followUpId === followUpId && job.data.kind === 'due',
      10_000,
      'the due timer',
    );
    expect(due.result).toBe('missed');
    expect(due.finishedAt).toBeGreaterThanOrEqual(dueAt.getTime());
    await receiver.accepted(1);
    const delivered = receiver.received.filter((item) => item.body.type === 'follow-up.missed');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body).toMatchObject({ complaintId: id, agentId: 'lia', queue: 'general' });
    expect(
      verifyWebhookSignature({
        header: delivered[0]!.signature,
        rawBody: delivered[0]!.rawBody,
        secrets: [SECRET],
      }),
    ).toMatchObject({ ok: true });

    // The same timer again (a retried job) changes nothing.
    expect(await router.desk.fireFollowUp(id, followUpId, 'due')).toBe('settled');
    const after = await request(router.url).get(`/v1/tickets/${id}`).set(as('lia')).expect(200);
    expect(after.body.followUps[0]).toMatchObject({ status: 'missed', missedAt: expect.any(String) });
    expect(after.body.ticket.pendingFollowUps).toEqual([]);
    expect(
      after.body.events.filter((event: { type: string }) => event.type === 'follow-up.missed'),
    ).toHaveLength(1);

    const feed = await request(router.url).get('/v1/reports/escalations').set(as('admin')).expect(200);
    expect(feed.body.escalations).toContainEqual(
      expect.objectContaining({ complaintId: id, type: 'follow-up.missed', detail: 'lia' }),
    );
    const kpis = await request(router.url).get('/v1/reports').set(as('admin')).expect(200);
    const lia = kpis.body.byAgent.find((agent: { id: string }) => agent.id === 'lia');
    expect(lia.promises).toEqual({ made: 1, kept: 0, missed: 1, pending: 0, keptPct: 0 });
    followUps.stop();
  });

  it('when the agent keeps the promise in time, then it is kept, its timers are removed, doing it again changes nothing, and the KPIs count it kept', async () => {
    const id = await held('mei');
    const made = await promise(id, 'mei', {
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      note: 'Call back to confirm the chargeback was filed',
    }).expect(201);
    const followUpId = made.body.followUp.id as string;
    expect(await router.timers.followUps.getJob(routerJobIds.followUp(id, followUpId, 'due'))).toBeDefined();

    const done = await request(router.url)
      .post(`/v1/tickets/${id}/follow-ups/${followUpId}/done`)
      .set(as('mei'))
      .send({ note: '已回电，客户确认收到 / called back, confirmed' })
      .expect(200);
    expect(done.body.followUp).toMatchObject({
      status: 'kept',
      doneBy: 'agent:mei',
      doneAt: expect.any(String),
      doneNote: '已回电，客户确认收到 / called back, confirmed',
    });
    for (const kind of ['remind', 'due'] as const)
      expect(
        await router.timers.followUps.getJob(routerJobIds.followUp(id, followUpId, kind)),
      ).toBeUndefined();
    const again = await request(router.url)
      .post(`/v1/tickets/${id}/follow-ups/${followUpId}/done`)
      .set(as('mei'))
      .send({})
      .expect(200);
    expect(again.body.followUp).toEqual(done.body.followUp);
    const view = await request(router.url).get(`/v1/tickets/${id}`).set(as('mei')).expect(200);
    expect(
      view.body.events.filter((event: { type: string }) => event.type === 'follow-up.kept'),
    ).toHaveLength(1);

    const kpis = await request(router.url).get('/v1/reports').set(as('admin')).expect(200);
    const mei = kpis.body.byAgent.find((agent: { id: string }) => agent.id === 'mei');
    expect(mei.promises).toEqual({ made: 1, kept: 1, missed: 0, pending: 0, keptPct: 100 });
    const csv = await request(router.url)
      .get('/v1/reports?format=csv&view=agents')
      .set(as('admin'))
      .expect(200);
    const [header, ...lines] = csv.text.trim().split('\n');
    const columns = header!.split(',');
    const meiRow = lines.find((line) => line.split(',')[columns.indexOf('id')] === 'mei')!.split(',');
    expect(meiRow[columns.indexOf('promisesKeptPct')]).toBe('100');
  });

  it('when a promise is given in business minutes, then it falls due on the ticket’s business calendar', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 950, calendar: 'us-eastern' }]);
    await request(router.url).post('/v1/agents/ren/claim').set(as('ren')).expect(200);
    const made = await promise(id!, 'ren', {
      inBusinessMinutes: 90,
      note: 'Escalate to the card team and call back',
    }).expect(201);
    const loaded = await loadRuleset(rules.dir);
    if (!loaded.ok) throw new Error('test rules invalid');
    const calendar = loaded.ruleset.calendars.get('us-eastern')!;
    expect(made.body.followUp.dueAt).toBe(
      addBusinessMinutes(calendar, new Date(made.body.followUp.createdAt), 90).toISOString(),
    );
  });

  it('when the promise is refused (not the holder, another queue, a CRM, bad bodies, a closed ticket, an unknown promise), then a precise 4xx and nothing is stored', async () => {
    const id = await held('ren');
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    // mei works general too, but does not hold it.
    const notHolder = await promise(id, 'mei', { dueAt: inAnHour, note: 'mine now' }).expect(409);
    expect(notHolder.body.detail).toMatch(/not held by you/);
    await promise(id, 'kai', { dueAt: inAnHour, note: 'other queue' }).expect(404);
    await promise(id, 'crm', { dueAt: inAnHour, note: 'a CRM' }).expect(403);
    const bad: Array<[unknown, string]> = [
      [{ note: 'no time' }, '/dueAt'],
      [{ dueAt: inAnHour, inBusinessMinutes: 30, note: 'both' }, '/dueAt'],
      [{ dueAt: new Date(Date.now() - 60_000).toISOString(), note: 'in the past' }, '/dueAt'],
      [{ dueAt: 'tomorrow', note: 'not a time' }, '/dueAt'],
      [{ inBusinessMinutes: 0, note: 'zero' }, '/inBusinessMinutes'],
      [{ dueAt: inAnHour, note: '  ' }, '/note'],
      [{ dueAt: inAnHour, note: 'ok', agentId: 'someone' }, ''],
    ];
    for (const [body, pointer] of bad) {
      const refused = await promise(id, 'ren', body).expect(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      if (pointer)
        expect(refused.body.errors.map((error: { path: string }) => error.path)).toContain(pointer);
    }
    await request(router.url)
      .post(`/v1/tickets/${id}/follow-ups/00000000-0000-4000-8000-000000000000/done`)
      .set(as('ren'))
      .send({})
      .expect(404);
    expect((await router.tickets.findById(id))?.followUps ?? []).toEqual([]);

    await request(router.url).post(`/v1/tickets/${id}/ack`).set(as('ren')).send({}).expect(200);
    await request(router.url)
      .post(`/v1/tickets/${id}/resolve`)
      .set(as('ren'))
      .send({ resolutionCode: 'refunded' })
      .expect(200);
    // A resolved ticket may still get a promise (call back to confirm); a closed one may not.
    await promise(id, 'ren', { dueAt: inAnHour, note: 'confirm the refund arrived' }).expect(201);
    await request(router.url).post(`/v1/tickets/${id}/close`).set(as('admin')).send({}).expect(200);
    await promise(id, 'admin', { dueAt: inAnHour, note: 'too late' }).expect(409);
  });

  it('when the router restarts between the promise and its due time, then the new process marks it missed, once', async () => {
    const id = await held('ren');
    const made = await promise(id, 'ren', {
      dueAt: new Date(Date.now() + 2_500).toISOString(),
      note: '周五前回复客户调查结果',
    }).expect(201);
    await router.stop();
    router = await startTestRouter(env);
    const followUps = watchJobs(router.followUpWorker);
    const due = await followUps.waitFor(
      (job) => job.data.followUpId === made.body.followUp.id && job.data.kind === 'due',
      15_000,
      'the due timer after the restart',
    );
    expect(due.result).toBe('missed');
    const stored = await router.tickets.findById(id);
    expect(stored?.followUps?.[0]).toMatchObject({ status: 'missed' });
    expect(stored?.events.filter((event) => event.type === 'follow-up.missed')).toHaveLength(1);
    followUps.stop();
  });

  it('when a promise’s timers were lost, then the sweep finds it overdue in MongoDB and marks it missed, once', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 990 }]);
    await request(router.url).post('/v1/agents/ren/claim').set(as('ren')).expect(200);
    const made = await promise(id!, 'ren', {
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      note: 'lost timer',
    }).expect(201);
    await router.timers.cancelFollowUp(id!, made.body.followUp.id);
    // As if its hour had passed with no timer running.
    await router.tickets.model.updateOne(
      { _id: id },
      { $set: { 'followUps.0.dueAt': new Date(Date.now() - 60_000) } },
    );
    expect((await router.desk.sweep(0)).followUpsMissed).toBe(1);
    expect((await router.desk.sweep(0)).followUpsMissed).toBe(0);
    expect((await router.tickets.findById(id!))?.followUps?.[0]).toMatchObject({ status: 'missed' });
  });
});
