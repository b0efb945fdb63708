import type { ComplaintEvent } from '@triage/shared/complaint';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { watchJobs } from './support/job-events';
import {
  agentKey,
  routerEnv,
  secondScaleRules,
  seedTickets,
  startTestRouter,
} from './support/router-harness';
import { startWebhookReceiver } from './support/webhook-receiver';

describe('SLA timers', () => {
  let router: RunningRouter;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rules: Awaited<ReturnType<typeof secondScaleRules>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    rules = await secondScaleRules({
      firstResponseMinutes: 0.1,
      resolutionMinutes: 0.5,
      ladders: {
        general: {
          warningShare: 0.5,
          steps: [
            {
              after: 'breach',
              actions: [
                { type: 'raise-priority', by: 25 },
                { type: 'notify', url: receiver.url },
              ],
            },
            { after: 0.02, actions: [{ type: 'raise-priority', by: 5 }] },
          ],
        },
      },
    });
    router = await startTestRouter(routerEnv('slatimers', ['sue'], { RULES_DIR: rules.dir }));
    await router.agents.upsert({ _id: 'sue', name: 'Sue', skills: ['billing'], capacity: 5, online: true });
  });

  afterAll(async () => {
    await router?.stop();
    await receiver?.stop();
    await rules?.remove();
  });

  const slaEvents = async (id: string) =>
    ((await router.tickets.findById(id))?.events ?? []).filter((event) => event.type.startsWith('sla.'));

  it('when the same timer fires twice at once (a retried or duplicated job), then the ticket escalates once and one notification is queued', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 40, firstResponseMs: 3600_000 }]);
    const generation = (await router.tickets.findById(id!))!.ticket!.sla!.generation;
    const due = {
      complaintId: id!,
      generation,
      phase: 'first-response' as const,
      key: 'breach',
      dueAt: new Date(),
    };
    const outcomes = await Promise.all([router.desk.fireSlaTimer(due), router.desk.fireSlaTimer(due)]);
    expect(outcomes.sort()).toEqual(['already-fired', 'fired']);
    expect(await router.desk.fireSlaTimer(due)).toBe('already-fired');
    expect(await router.desk.fireSlaTimer({ ...due, generation: generation - 1 })).toBe('stale');

    const ticket = await router.tickets.findById(id!);
    expect(ticket?.ticket?.priorityScore).toBe(65);
    expect(ticket?.events.filter((event) => event.type === 'sla.breached')).toHaveLength(1);
    expect(ticket?.events.filter((event) => event.type === 'priority-raised')).toHaveLength(1);
    const notifications = await router.timers.notifications.getJobs([
      'waiting',
      'active',
      'completed',
      'delayed',
      'failed',
    ]);
    expect(notifications.filter((job) => job.data.complaintId === id)).toHaveLength(1);
    await receiver.accepted(1);
  });

  it('when many tickets have second-scale deadlines, then every warning, breach and escalation fires within 2 s of its due time', async () => {
    const timers = watchJobs(router.slaWorker);
    const count = 30;
    const ids = await seedTickets(
      router,
      Array.from({ length: count }, (_, i) => ({ queue: 'general', firstResponseMs: 2000 + i * 100 })),
    );
    const idSet = new Set(ids);
    // Per ticket: warning, breach, breach+1200ms.
    await Promise.all(
      ids.map((id) =>
        timers.waitFor(
          (job) => job.data.complaintId === id && job.data.key === 'breach+1200ms',
          20_000,
          `last step of ${id}`,
        ),
      ),
    );
    timers.stop();
    const fired = timers.finished.filter((job) => idSet.has(job.data.complaintId) && job.result === 'fired');
    expect(fired).toHaveLength(count * 3);
    const lateness: number[] = [];
    for (const id of ids) {
      const events = await slaEvents(id);
      expect(events.map((event) => event.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated']);
      for (const event of events) lateness.push(event.data?.lateMs as number);
    }
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThan(2000);
  }, 30_000);

  it('when a ticket waits for the customer and resumes, then its breach fires at the deadline moved by the recorded pause', async () => {
    const timers = watchJobs(router.slaWorker);
    const [id] = await seedTickets(router, [
      { queue: 'billing', firstResponseMs: 60_000, resolutionMs: 3000 },
    ]);
    const as = { Authorization: `Bearer ${agentKey('sue')}` };
    await request(router.url).post('/v1/agents/sue/claim').set(as).expect(200);
    await request(router.url).post(`/v1/tickets/${id}/ack`).set(as).expect(200);
    await request(router.url).post(`/v1/tickets/${id}/pause`).set(as).expect(200);
    await request(router.url).post(`/v1/tickets/${id}/resume`).set(as).expect(200);
    const sla = (await router.tickets.findById(id!))!.ticket!.sla!;
    const pause = sla.pauses![0]!;
    expect(sla.pausedMs).toBe(pause.to.getTime() - pause.from.getTime());

    await timers.waitFor(
      (job) => job.data.complaintId === id && job.data.key === 'breach' && job.result === 'fired',
    );
    timers.stop();
    const breach = (await slaEvents(id!)).find((event: ComplaintEvent) => event.type === 'sla.breached');
    expect(breach?.data).toMatchObject({ phase: 'resolution' });
    expect(new Date(breach?.data?.dueAt as Date).getTime()).toBe(
      sla.resolutionDueAt.getTime() + sla.pausedMs,
    );
    expect(breach?.data?.lateMs).toBeLessThan(2000);
    // Timers of the generations before the pause and the resume did nothing.
    expect(
      timers.finished.filter((job) => job.data.complaintId === id && job.result === 'fired'),
    ).toHaveLength((await slaEvents(id!)).length);
  });
});
