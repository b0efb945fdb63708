import request from 'supertest';
import { routerJobIds } from '../../services/router/src/data-access/router-timers';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('ticket lifecycle', () => {
  let router: RunningRouter;
  const agents = ['lia', 'max'];

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('lifecycle', agents));
    await router.agents.upsert({
      _id: 'lia',
      name: 'Lia',
      skills: ['general', 'billing'],
      capacity: 5,
      online: true,
    });
    await router.agents.upsert({
      _id: 'max',
      name: 'Max',
      skills: ['general', 'billing'],
      capacity: 5,
      online: true,
    });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const as = (agentId: string) => ({ Authorization: `Bearer ${agentKey(agentId)}` });
  const post = (path: string, who: string, body?: object) =>
    request(router.url)
      .post(path)
      .set(who === 'admin' ? { Authorization: `Bearer ${adminKey}` } : as(who))
      .send(body);
  const eventsOf = async (id: string) =>
    ((await router.tickets.findById(id))?.events ?? []).map((event) => event.type);
  const pendingSlaJobs = async (id: string) => {
    const doc = await router.tickets.findById(id);
    const sla = doc?.ticket?.sla;
    if (!sla) return [];
    const jobs = await Promise.all(
      ['warning', 'breach', 'breach+120m'].map((key) =>
        router.timers.sla.getJob(routerJobIds.sla(id, sla.generation, sla.phase, key)),
      ),
    );
    return jobs.filter((job) => job !== undefined).map((job) => job.data.key);
  };

  it('when an agent claims, acknowledges, waits for the customer, resumes, resolves and closes, then each step is an event and the pause moves the deadline', async () => {
    const [id] = await seedTickets(router, [
      { queue: 'general', firstResponseMs: 3600_000, resolutionMs: 8 * 3600_000 },
    ]);
    expect(await pendingSlaJobs(id!)).toEqual(['warning', 'breach', 'breach+120m']);

    expect((await post('/v1/agents/lia/claim', 'lia').expect(200)).body.ticket.id).toBe(id);
    const acked = await post(`/v1/tickets/${id}/ack`, 'lia').expect(200);
    expect(acked.body.ticket).toMatchObject({
      status: 'in_progress',
      sla: { phase: 'resolution', paused: false },
    });
    expect(acked.body.ticket.acknowledgedAt).toEqual(expect.any(String));
    // The first-response timers gave way to the resolution timers.
    expect((await router.tickets.findById(id!))?.ticket?.sla?.phase).toBe('resolution');
    expect(await pendingSlaJobs(id!)).toEqual(['warning', 'breach', 'breach+120m']);

    const dueBefore = new Date(acked.body.ticket.sla.dueAt).getTime();
    const resolutionDueBefore = new Date(acked.body.ticket.resolutionDueAt).getTime();
    const paused = await post(`/v1/tickets/${id}/pause`, 'lia', {
      reason: '等客户提供流水 / waiting for the statement',
    }).expect(200);
    expect(paused.body.ticket).toMatchObject({
      status: 'waiting_customer',
      leaseExpiresAt: null,
      sla: { paused: true },
    });
    expect(await pendingSlaJobs(id!)).toEqual([]); // nothing escalates while the customer has the ball

    const resumed = await post(`/v1/tickets/${id}/resume`, 'lia', { reason: 'statement received' }).expect(
      200,
    );
    const stored = await router.tickets.findById(id!);
    const pause = stored?.ticket?.sla?.pauses?.[0];
    expect(pause).toMatchObject({ reason: 'waiting_customer' });
    const pausedMs = pause!.to.getTime() - pause!.from.getTime();
    expect(resumed.body.ticket.sla.pausedMs).toBe(pausedMs);
    expect(new Date(resumed.body.ticket.sla.dueAt).getTime()).toBe(dueBefore + pausedMs);
    // The resolution deadline shown to the agent moves with the pause too.
    expect(new Date(resumed.body.ticket.resolutionDueAt).getTime()).toBe(resolutionDueBefore + pausedMs);
    expect(await pendingSlaJobs(id!)).toEqual(['warning', 'breach', 'breach+120m']);

    await post(`/v1/tickets/${id}/resolve`, 'lia', { reason: 'refund issued' }).expect(200);
    expect(await pendingSlaJobs(id!)).toEqual([]); // removed on resolve
    expect((await router.agents.findById('lia'))?.activeTickets).toBe(0);
    const closed = await post(`/v1/tickets/${id}/close`, 'lia').expect(200);
    expect(closed.body.ticket).toMatchObject({ status: 'closed', closedAt: expect.any(String) });

    expect(await eventsOf(id!)).toEqual([
      'triaged',
      'queued',
      'claimed',
      'acknowledged',
      'waiting-customer',
      'resumed',
      'resolved',
      'closed',
    ]);
    // Every reason given is kept on its event.
    const reasons = ((await router.tickets.findById(id!))?.events ?? []).map((event) => [
      event.type,
      (event.data as { reason?: string } | undefined)?.reason,
    ]);
    expect(reasons.filter(([, reason]) => reason !== undefined)).toEqual([
      ['waiting-customer', '等客户提供流水 / waiting for the statement'],
      ['resumed', 'statement received'],
      ['resolved', 'refund issued'],
    ]);
  });

  it('when a transition is not allowed from the current status, then 409 problem+json names the status', async () => {
    const [id] = await seedTickets(router, [{ queue: 'billing' }]);
    const notClaimed = await post(`/v1/tickets/${id}/ack`, 'admin').expect(409);
    expect(notClaimed.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(notClaimed.body).toMatchObject({
      status: 409,
      title: 'Conflict',
      action: 'ack',
      ticketStatus: 'queued',
    });
    expect(notClaimed.body.detail).toMatch(/queued/);
    await post(`/v1/tickets/${id}/close`, 'admin').expect(409);
    await post(`/v1/tickets/${id}/resume`, 'admin').expect(409);

    await post('/v1/agents/max/claim', 'max').expect(200);
    const other = await post(`/v1/tickets/${id}/resolve`, 'lia').expect(409);
    expect(other.body.detail).toMatch(/held by another agent/);
    await post(`/v1/tickets/${id}/heartbeat`, 'lia').expect(409);
    await post(`/v1/tickets/${id}/pause`, 'max').expect(409); // not acknowledged yet
    await post(`/v1/tickets/00000000-0000-4000-8000-000000000000/ack`, 'max').expect(404);
    await post('/v1/tickets/not-a-uuid/ack', 'max').expect(400);
    await post(`/v1/tickets/${id}/release`, 'max').expect(200);
    expect(await eventsOf(id!)).toEqual(['triaged', 'queued', 'claimed', 'released']);
  });

  it('when an agent transfers a ticket twice, then it waits in the new queue, the transfers are counted and the timers follow the new queue', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 1000 }]);
    await post('/v1/agents/max/claim', 'max').expect(200);
    const first = await post(`/v1/tickets/${id}/transfer`, 'max', {
      queue: 'billing',
      reason: 'billing question',
    }).expect(200);
    expect(first.body.ticket).toMatchObject({
      status: 'queued',
      queue: 'billing',
      agentId: null,
      transferCount: 1,
    });
    expect((await router.agents.findById('max'))?.activeTickets).toBe(0);
    // billing's ladder moves to supervisors after 60 minutes, general's after 120.
    const doc = await router.tickets.findById(id!);
    const sla = doc!.ticket!.sla!;
    expect(
      await router.timers.sla.getJob(routerJobIds.sla(id!, sla.generation, sla.phase, 'breach+60m')),
    ).toBeDefined();
    expect(
      await router.timers.sla.getJob(routerJobIds.sla(id!, sla.generation - 1, sla.phase, 'breach+120m')),
    ).toBeUndefined();

    await post(`/v1/tickets/${id}/transfer`, 'admin', { queue: 'general' }).expect(200);
    const again = await post(`/v1/tickets/${id}/transfer`, 'admin', { queue: 'general' }).expect(409);
    expect(again.body.detail).toMatch(/already in queue general/);
    const unknown = await post(`/v1/tickets/${id}/transfer`, 'admin', { queue: 'nowhere' }).expect(400);
    expect(unknown.body.errors).toEqual([{ path: '/queue', message: expect.any(String) }]);
    const events = (await router.tickets.findById(id!))!.events.filter(
      (event) => event.type === 'transferred',
    );
    expect(events.map((event) => event.data)).toEqual([
      { from: 'general', to: 'billing', transferCount: 1, fromAgent: 'max', reason: 'billing question' },
      { from: 'billing', to: 'general', transferCount: 2 },
    ]);
    expect((await router.tickets.findById(id!))?.ticket?.transferCount).toBe(2);
  });

  it('when a resolved ticket is reopened, then it waits in its queue again and the resolved time counts as paused', async () => {
    const [id] = await seedTickets(router, [{ queue: 'billing', score: 2000 }]);
    await post('/v1/agents/lia/claim', 'lia').expect(200);
    await post(`/v1/tickets/${id}/ack`, 'lia').expect(200);
    await post(`/v1/tickets/${id}/resolve`, 'lia').expect(200);
    const reopened = await post(`/v1/tickets/${id}/reopen`, 'max', { reason: 'customer called back' }).expect(
      200,
    );
    expect(reopened.body.ticket).toMatchObject({
      status: 'queued',
      reopenCount: 1,
      agentId: null,
      resolvedAt: null,
    });
    const pauses = (await router.tickets.findById(id!))?.ticket?.sla?.pauses ?? [];
    expect(pauses.map((pause) => pause.reason)).toEqual(['resolved']);
    expect(await eventsOf(id!)).toEqual([
      'triaged',
      'queued',
      'claimed',
      'acknowledged',
      'resolved',
      'reopened',
    ]);
    const next = await post('/v1/agents/max/claim', 'max').expect(200);
    expect(next.body.ticket).toMatchObject({ id, sla: { phase: 'resolution' } });
  });
});
