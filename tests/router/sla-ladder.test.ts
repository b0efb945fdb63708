import type { ComplaintEvent } from '@triage/shared/complaint';
import { verifyWebhookSignature } from '@triage/shared/http';
import request from 'supertest';
import { buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import { watchJobs } from './support/job-events';
import { secondScaleRules } from './support/router-harness';
import { startWebhookReceiver } from './support/webhook-receiver';

const SECRET = 'ladder-test-notify-secret';

describe('SLA escalation ladder, end to end with second-scale SLAs from the rules', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rules: Awaited<ReturnType<typeof secondScaleRules>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver([500]); // the first delivery fails and must be retried
    const ladder = {
      warningShare: 0.5,
      steps: [
        { after: 'warning', actions: [{ type: 'notify', url: receiver.url }] },
        {
          after: 'breach',
          actions: [
            { type: 'raise-priority', by: 30 },
            { type: 'notify', url: receiver.url },
          ],
        },
        {
          after: 0.05,
          actions: [
            { type: 'move-queue', to: 'supervisors' },
            { type: 'notify', url: receiver.url },
          ],
        },
      ],
    };
    const queueIds = [
      'general',
      'billing',
      'credit-reporting',
      'fraud',
      'escalations',
      'cn-service',
      'abuse-review',
    ];
    // First response due 6 s after receipt: warning at 3 s, breach at 6 s, supervisors at 9 s.
    rules = await secondScaleRules({
      firstResponseMinutes: 0.1,
      resolutionMinutes: 0.5,
      ladders: Object.fromEntries(queueIds.map((id) => [id, ladder])),
      modes: { fraud: 'pull' },
    });
    stack = await startTestStack('ladder', {
      RULES_DIR: rules.dir,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      NOTIFY_BACKOFF_MS: '200',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
    await rules?.remove();
  });

  it('when nobody answers a complaint, then it is warned, breached (priority raised) and moved to supervisors, each on time, with signed notifications', async () => {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const timers = watchJobs(stack.router.slaWorker);
    const notifications = watchJobs(stack.router.notifyWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(buildEnglishComplaint())
      .expect(202);
    const id: string = accepted.body.id;
    await routed.waitFor(id);
    routed.stop();
    const queued = await stack.router.tickets.findById(id);
    const startScore = queued!.ticket!.priorityScore;
    const firstQueue = queued!.ticket!.queue;
    const firstResponseDueAt = queued!.decision!.firstResponseDueAt.getTime();
    expect(firstResponseDueAt - queued!.receivedAt.getTime()).toBe(6000); // from sla-policies.json

    await timers.waitFor(
      (job) => job.data.complaintId === id && job.data.key === 'breach+3s' && job.result === 'fired',
      20_000,
      'the second ladder step',
    );
    timers.stop();
    await receiver.accepted(3);
    // The 'notified' event is written after the receiver answers: wait for that job to finish.
    await notifications.waitFor(
      (job) => job.data.complaintId === id && job.data.payload.type === 'sla.escalated',
      20_000,
      'the third notification',
    );
    notifications.stop();

    const ticket = await stack.router.tickets.findById(id);
    expect(ticket).toMatchObject({
      status: 'queued',
      ticket: { queue: 'supervisors', priorityScore: startScore + 30 },
    });
    const ladderEvents = ticket!.events.filter((event) => event.actor === 'router:sla');
    expect(ladderEvents.map((event) => event.type)).toEqual([
      'sla.warning',
      'notify-queued',
      'sla.breached',
      'priority-raised',
      'notify-queued',
      'sla.escalated',
      'queue-moved',
      'notify-queued',
    ]);
    const due = (event: ComplaintEvent) => new Date(event.data?.dueAt as Date).getTime();
    const fired = ladderEvents.filter((event) => event.type.startsWith('sla.'));
    expect(fired.map(due)).toEqual([
      firstResponseDueAt - 3000,
      firstResponseDueAt,
      firstResponseDueAt + 3000,
    ]);
    for (const event of fired) {
      const late = event.at.getTime() - due(event);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2000);
    }
    expect(ladderEvents.find((event) => event.type === 'queue-moved')?.data).toMatchObject({
      from: firstQueue,
      to: 'supervisors',
    });

    // Notifications: signed like incoming webhooks; the refused first delivery was retried.
    expect(receiver.received.map((item) => item.answered)).toEqual([500, 204, 204, 204]);
    for (const item of receiver.received) {
      expect(
        verifyWebhookSignature({ header: item.signature, rawBody: item.rawBody, secrets: [SECRET] }),
      ).toMatchObject({ ok: true });
    }
    const delivered = receiver.received.filter((item) => item.answered < 300).map((item) => item.body);
    expect(delivered.map((body) => body.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated']);
    expect(delivered[0]).toMatchObject({ complaintId: id, phase: 'first-response', step: 'warning' });

    const history = await request(stack.intake.url)
      .get(`/v1/complaints/${id}/events`)
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(200);
    expect(history.body.events.filter((event: ComplaintEvent) => event.type === 'notified')).toHaveLength(3);

    const queues = await request(stack.router.url)
      .get('/v1/queues')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    expect(queues.body.queues.find((queue: { id: string }) => queue.id === 'supervisors')).toMatchObject({
      depth: 1,
      breached: 1,
    });
  }, 30_000);
});
