import request from 'supertest';
import { routerJobIds } from '../../services/router/src/data-access/router-timers';
import type { RunningRouter } from '../../services/router/src/service';
import { agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

/**
 * The sweep is the safety net for a router process that died between two writes. Each test
 * puts the stores in the state such a crash leaves (a write done, the next one never made),
 * then runs the sweep as the maintenance job does.
 */
describe('maintenance sweep', () => {
  let router: RunningRouter;
  const agents = ['uma'];

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('sweep', agents));
    await router.agents.upsert({ _id: 'uma', name: 'Uma', skills: ['general'], capacity: 5, online: true });
  });
  afterAll(async () => {
    await router?.stop();
  });

  const slaJobKeys = async (id: string, generation: number, phase: string) => {
    const jobs = await Promise.all(
      ['warning', 'breach', 'breach+120m'].map((key) =>
        router.timers.sla.getJob(routerJobIds.sla(id, generation, phase, key)),
      ),
    );
    return jobs.flatMap((job) => (job ? [job.data.key] : []));
  };

  it('when routing completes normally, then no timers-pending marker is left behind', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const ticket = await router.tickets.findById(id!);
    expect(ticket?.ticket?.sla?.generation).toBe(1);
    expect(ticket?.ticket?.sla).not.toHaveProperty('timersPending');
    expect(await slaJobKeys(id!, 1, 'first-response')).toEqual(['warning', 'breach', 'breach+120m']);
    expect((await router.desk.sweep()).timersPlanned).toBe(0);
  });

  it('when a process died after a new clock generation was stored but before its timers were scheduled, then the sweep schedules them', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    // The stored half of a re-plan (generation 2, marked pending), written a minute ago.
    await router.tickets.model.updateOne(
      { _id: id },
      {
        $set: {
          'ticket.sla.generation': 2,
          'ticket.sla.timersPending': true,
          updatedAt: new Date(Date.now() - 60_000),
        },
      },
    );
    expect(await slaJobKeys(id!, 2, 'first-response')).toEqual([]);

    const result = await router.desk.sweep();
    expect(result.timersPlanned).toBe(1);
    expect(await slaJobKeys(id!, 2, 'first-response')).toEqual(['warning', 'breach', 'breach+120m']);
    expect((await router.tickets.findById(id!))?.ticket?.sla).not.toHaveProperty('timersPending');
    expect((await router.desk.sweep()).timersPlanned).toBe(0);
  });

  it('when a marker is fresh (its writer may still be scheduling), then the sweep leaves it to the writer', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    await router.tickets.model.updateOne(
      { _id: id },
      { $set: { 'ticket.sla.generation': 2, 'ticket.sla.timersPending': true, updatedAt: new Date() } },
    );
    expect((await router.desk.sweep()).timersPlanned).toBe(0);
    expect(await slaJobKeys(id!, 2, 'first-response')).toEqual([]);
  });

  it('when a process died after a claim but before scheduling its lease timer, then the sweep returns the ticket once the lease is over', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 99 }]);
    const claimed = await request(router.url)
      .post('/v1/agents/uma/claim')
      .set('Authorization', `Bearer ${agentKey('uma')}`)
      .expect(200);
    expect(claimed.body.ticket.id).toBe(id);
    await router.timers.lease.obliterate({ force: true });
    await router.tickets.model.updateOne(
      { _id: id },
      { $set: { 'ticket.leaseExpiresAt': new Date(Date.now() - 60_000) } },
    );
    const result = await router.desk.sweep();
    expect(result.leasesExpired).toBe(1);
    const ticket = await router.tickets.findById(id!);
    expect(ticket).toMatchObject({ status: 'queued', ticket: { agentId: null } });
    expect(ticket?.events.at(-1)).toMatchObject({ type: 'lease-expired', data: { agentId: 'uma' } });
    expect((await router.agents.findById('uma'))?.activeTickets).toBe(0);
    // Back in the claim index too.
    expect((await router.claimIndex.entries()).has(id!)).toBe(true);
  });

  it('when a router died between reserving an agent slot and claiming, then the next sweep sets the counter back to the tickets held', async () => {
    await router.agents.upsert({ _id: 'vera', name: 'Vera', skills: ['general'], capacity: 2, online: true });
    const [id] = await seedTickets(router, [{ queue: 'general', score: 999 }]);
    expect((await router.desk.claim('vera', undefined))?._id).toBe(id);
    expect((await router.tickets.findById(id!))?.ticket?.agentId).toBe('vera');
    // The crash: two slots reserved, no claim followed; the counter then stayed quiet a minute.
    expect(await router.agents.reserve('vera')).toBe(true);
    expect((await router.agents.findById('vera'))?.activeTickets).toBe(2);
    await router.agents.model.updateOne(
      { _id: 'vera' },
      { $set: { activeTicketsChangedAt: new Date(Date.now() - 60_000) } },
    );
    const result = await router.desk.sweep();
    expect(result.countersCorrected).toBe(1);
    expect((await router.agents.findById('vera'))?.activeTickets).toBe(1);
    expect((await router.desk.sweep()).countersCorrected).toBe(0);
  });

  it('when tickets left the agent just now (their slot releases may be on the way), then the sweep waits until those tickets are quiet too', async () => {
    await router.agents.upsert({ _id: 'wes', name: 'Wes', skills: ['general'], capacity: 3, online: true });
    const [resolved, released] = await seedTickets(router, [
      { queue: 'general', score: 998 },
      { queue: 'general', score: 997 },
    ]);
    const wes = { agentId: 'wes', label: 'agent:wes' };
    expect((await router.desk.claim('wes', undefined))?._id).toBe(resolved);
    expect((await router.desk.claim('wes', undefined))?._id).toBe(released);
    await router.desk.act(resolved!, 'resolve', wes);
    await router.desk.act(released!, 'release', wes);
    // The state a resolve and a release leave while their slot releases are still on the way: both
    // tickets written, the counter not yet moved (and quiet a minute).
    await router.agents.model.updateOne(
      { _id: 'wes' },
      { $set: { activeTickets: 2, activeTicketsChangedAt: new Date(Date.now() - 60_000) } },
    );
    expect((await router.desk.sweep()).countersCorrected).toBe(0);
    expect((await router.agents.findById('wes'))?.activeTickets).toBe(2);

    // A minute on, no release came: the process died; the counter is set to the truth.
    await router.tickets.model.updateMany(
      { _id: { $in: [resolved, released] } },
      { $set: { updatedAt: new Date(Date.now() - 60_000) } },
    );
    expect((await router.desk.sweep()).countersCorrected).toBe(1);
    expect((await router.agents.findById('wes'))?.activeTickets).toBe(0);
  });
});
