import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { closeServer, listen, portOf, verifyWebhookSignature } from '@triage/shared/http';
import express from 'express';
import request from 'supertest';
import {
  buildCfpbRecord,
  buildCrmTicket,
  deliver,
  webhookSecrets,
  webhookSecretsEnv,
} from '../intake/intake-harness';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';
import { addAllRoundAgent } from '../support/ticket-work';
import { watchJobs } from './support/job-events';

const SECRET = 'crm-loop-test-notify-secret';

interface Received {
  path: string;
  signature: string | undefined;
  rawBody: Buffer;
  body: Record<string, unknown>;
}

/** A CRM's endpoint: /crm/ok accepts; /crm/down answers 503 while `down` is set. */
async function startCrm() {
  const received: Received[] = [];
  let down = true;
  const app = express();
  app.post('/crm/:which', express.raw({ type: 'application/json' }), (req, res) => {
    const rawBody = req.body as Buffer;
    if (req.params.which === 'down' && down) {
      res.status(503).end();
      return;
    }
    received.push({
      path: req.path,
      signature: req.header('x-triage-signature'),
      rawBody,
      body: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>,
    });
    res.status(204).end();
  });
  const server: Server = await listen(app, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${portOf(server)}`;
  return {
    okUrl: `${base}/crm/ok`,
    downUrl: `${base}/crm/down`,
    received,
    bringUp: () => {
      down = false;
    },
    stop: () => closeServer(server),
  };
}

describe('the loop back to the CRM: each source’s outgoing webhook hears its complaints’ status changes', () => {
  let stack: TestStack;
  let crm: Awaited<ReturnType<typeof startCrm>>;
  let rulesDir: string;
  const agentKey = testKeys.agent('agent-1');

  beforeAll(async () => {
    crm = await startCrm();
    // generic-crm posts to a CRM that answers; cfpb's endpoint is down until the test brings it up.
    rulesDir = await mkdtemp(path.join(os.tmpdir(), 'triage-crm-rules-'));
    await cp('rules', rulesDir, { recursive: true });
    for (const [source, outbound] of [
      ['generic-crm', { url: crm.okUrl }],
      ['cfpb', { url: crm.downUrl, events: ['triaged'] }],
    ] as const) {
      const file = path.join(rulesDir, 'sources', `${source}.json`);
      const mapping = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...mapping, outbound }, null, 2));
    }
    stack = await startTestStack('crm-loop', {
      RULES_DIR: rulesDir,
      WEBHOOK_SECRETS: webhookSecretsEnv,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      CRM_WEBHOOK_ATTEMPTS: '2',
      CRM_WEBHOOK_BACKOFF_MS: '20',
    });
    await addAllRoundAgent(stack.router, 'agent-1', 10);
  });

  afterAll(async () => {
    await stack?.stop();
    await crm?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  const deliveredFor = (complaintId: string) =>
    crm.received.filter((item) => item.body.complaintId === complaintId).map((item) => item.body);

  it('when a CRM’s complaint is triaged, assigned, noted, resolved and reopened, then the CRM receives each change once, signed, with what it needs', async () => {
    const deliveries = watchJobs(stack.router.crmWorker);
    const ticket = buildCrmTicket({
      subject: '信用卡被重复扣款',
      description: '我的信用卡同一笔订单被扣了两次，请尽快退款。',
      language: 'zh',
    });
    const accepted = await deliver(stack.intake.url, 'generic-crm', ticket, {
      secret: webhookSecrets.genericNew,
    }).expect(202);
    const complaintId = accepted.body.id as string;
    const awaitDelivery = (event: string) =>
      deliveries.waitFor(
        (job) => job.data.complaintId === complaintId && job.data.payload.event === event,
        20_000,
        event,
      );

    await awaitDelivery('ticket.triaged');
    const [triaged] = deliveredFor(complaintId);
    const stored = await stack.router.tickets.findById(complaintId);
    expect(triaged).toMatchObject({
      event: 'ticket.triaged',
      complaintId,
      source: 'generic-crm',
      externalId: ticket.id,
      status: 'queued',
      ticket: {
        queue: stored?.ticket?.queue,
        category: stored?.decision?.category,
        severity: stored?.decision?.severity,
        firstResponseDueAt: stored?.decision?.firstResponseDueAt.toISOString(),
        resolutionDueAt: stored?.decision?.resolutionDueAt.toISOString(),
      },
    });

    // Whoever the rules sent it to, an admin hands it to agent-1, who works it.
    const claimed = await request(stack.router.url)
      .post(`/v1/tickets/${complaintId}/assign`)
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .send({ agentId: 'agent-1' });
    expect([200, 409]).toContain(claimed.status); // 409: a push queue gave it to agent-1 already
    await awaitDelivery('ticket.assigned');
    const as = { Authorization: `Bearer ${agentKey}` };
    await request(stack.router.url).post(`/v1/tickets/${complaintId}/ack`).set(as).send({}).expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${complaintId}/notes`)
      .set(as)
      .send({ text: '内部：已核实两笔扣款', visibility: 'internal' })
      .expect(201);
    const customerNote = await request(stack.router.url)
      .post(`/v1/tickets/${complaintId}/notes`)
      .set(as)
      .send({ text: '您好，重复扣款将在3个工作日内退回。', visibility: 'customer' })
      .expect(201);
    await awaitDelivery('ticket.note');
    await request(stack.router.url)
      .post(`/v1/tickets/${complaintId}/resolve`)
      .set(as)
      .send({ resolutionCode: 'refunded', summary: 'Duplicate charge refunded' })
      .expect(200);
    await awaitDelivery('ticket.resolved');
    await request(stack.router.url)
      .post(`/v1/tickets/${complaintId}/reopen`)
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .send({ reason: 'customer says the refund did not arrive' })
      .expect(200);
    await awaitDelivery('ticket.reopened');

    const events = deliveredFor(complaintId).map((body) => body.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'ticket.triaged',
        'ticket.assigned',
        'ticket.note',
        'ticket.resolved',
        'ticket.reopened',
      ]),
    );
    // Once each, and the internal note never left.
    expect(events).toHaveLength(5);
    const byEvent = Object.fromEntries(deliveredFor(complaintId).map((body) => [body.event, body]));
    expect(byEvent['ticket.assigned']).toMatchObject({ ticket: { agentId: 'agent-1' } });
    expect(byEvent['ticket.note']).toMatchObject({
      note: {
        id: customerNote.body.note.id,
        text: '您好，重复扣款将在3个工作日内退回。',
        author: 'agent:agent-1',
      },
    });
    expect(byEvent['ticket.resolved']).toMatchObject({
      status: 'resolved',
      resolution: { code: 'refunded', summary: 'Duplicate charge refunded', finalAnswer: false },
    });
    expect(byEvent['ticket.reopened']).toMatchObject({ ticket: { reopenCount: 1 } });
    for (const item of crm.received.filter((entry) => entry.body.complaintId === complaintId)) {
      expect(
        verifyWebhookSignature({ header: item.signature, rawBody: item.rawBody, secrets: [SECRET] }),
      ).toMatchObject({ ok: true });
    }
    const history = await stack.router.tickets.findById(complaintId);
    expect(history?.events.filter((event) => event.type === 'crm.delivered')).toHaveLength(5);

    // Offered again (a replayed route job), the triaged change is not sent twice.
    await stack.router.desk.routeTriaged(complaintId, undefined);
    expect(await stack.router.timers.crm.getJob(`crm-${complaintId}-triaged-0`)).toBeDefined();
    expect(deliveredFor(complaintId).filter((body) => body.event === 'ticket.triaged')).toHaveLength(1);
    deliveries.stop();
  });

  it('when a CRM keeps failing, then the delivery is dead-lettered, visible to supervisors, recorded on the complaint, and an admin can send it again', async () => {
    // The last attempt's failure: BullMQ will not try again.
    let onFailed: (
      job: { data: { complaintId: string }; attemptsMade: number } | undefined,
    ) => void = () => {};
    const deadLettered = new Promise<string>((resolve) => {
      onFailed = (job) => {
        if (job && job.attemptsMade >= 2) resolve(job.data.complaintId);
      };
      stack.router.crmWorker.on('failed', onFailed);
    });
    const accepted = await deliver(stack.intake.url, 'cfpb', buildCfpbRecord({ 'Complaint ID': '9001234' }), {
      secret: webhookSecrets.cfpb,
    }).expect(202);
    const complaintId = accepted.body.id as string;
    expect(await deadLettered).toBe(complaintId);

    const list = await request(stack.router.url)
      .get('/v1/crm-deliveries?state=failed&source=cfpb')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    expect(list.body.counts.failed).toBeGreaterThanOrEqual(1);
    const dead = list.body.deliveries.find(
      (item: { complaintId: string }) => item.complaintId === complaintId,
    );
    expect(dead).toMatchObject({
      id: `crm-${complaintId}-triaged-0`,
      state: 'failed',
      source: 'cfpb',
      event: 'ticket.triaged',
      attemptsMade: 2,
      failedReason: expect.stringMatching(/503/),
    });
    const stored = await stack.router.tickets.findById(complaintId);
    expect(stored?.events).toContainEqual(
      expect.objectContaining({
        type: 'crm.dead-lettered',
        data: expect.objectContaining({ source: 'cfpb', attempts: 2 }),
      }),
    );
    // Agents and CRMs may not look; only an admin may send it again.
    await request(stack.router.url)
      .get('/v1/crm-deliveries')
      .set('Authorization', `Bearer ${agentKey}`)
      .expect(403);
    await request(stack.router.url)
      .get('/v1/crm-deliveries')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .expect(403);
    await request(stack.router.url)
      .get('/v1/crm-deliveries?state=lost')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(400);
    await request(stack.router.url)
      .post(`/v1/crm-deliveries/${dead.id}/retry`)
      .set('Authorization', `Bearer ${agentKey}`)
      .expect(403);
    await request(stack.router.url)
      .post('/v1/crm-deliveries/crm-no-such-delivery/retry')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(404);

    crm.bringUp();
    const deliveries = watchJobs(stack.router.crmWorker);
    await request(stack.router.url)
      .post(`/v1/crm-deliveries/${dead.id}/retry`)
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(202);
    await deliveries.waitFor((job) => job.data.complaintId === complaintId, 20_000, 'the retried delivery');
    expect(deliveredFor(complaintId)).toEqual([
      expect.objectContaining({ event: 'ticket.triaged', source: 'cfpb' }),
    ]);
    // cfpb asked for triaged changes only: a claim is not sent.
    const after = await stack.router.tickets.findById(complaintId);
    expect(after?.events.filter((event) => event.type === 'crm.delivered')).toHaveLength(1);
    stack.router.crmWorker.off('failed', onFailed);
    deliveries.stop();
  });
});
