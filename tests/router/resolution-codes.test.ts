import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('resolving with a resolution code', () => {
  let router: RunningRouter;
  let dir: string;
  const lia = { Authorization: `Bearer ${agentKey('lia')}` };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'triage-codes-'));
    await cp('rules', dir, { recursive: true });
    router = await startTestRouter(
      routerEnv('rescodes', ['lia'], { RULES_DIR: dir, RULES_WATCH: 'true', RULES_WATCH_DEBOUNCE_MS: '50' }),
    );
    await router.agents.upsert({ _id: 'lia', name: 'Lia', skills: ['general'], capacity: 20, online: true });
  });
  afterAll(async () => {
    await router?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A ticket Lia holds and has acknowledged. */
  const workedTicket = async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 1000 }]);
    expect((await request(router.url).post('/v1/agents/lia/claim').set(lia).expect(200)).body.ticket.id).toBe(
      id,
    );
    await request(router.url).post(`/v1/tickets/${id}/ack`).set(lia).expect(200);
    return id!;
  };
  const resolve = (id: string, body: object) =>
    request(router.url).post(`/v1/tickets/${id}/resolve`).set(lia).send(body);

  it('when the agent resolves with a code, a summary and a final answer, then the ticket and its resolved event keep them', async () => {
    const codes = await request(router.url).get('/v1/resolution-codes').set(lia).expect(200);
    expect(codes.body.codes.map((code: { id: string }) => code.id)).toContain('refunded');

    const id = await workedTicket();
    const resolved = await resolve(id, {
      resolutionCode: 'refunded',
      summary: '年费已全额退还 / annual fee refunded in full',
      finalAnswer: true,
    }).expect(200);
    expect(resolved.body.ticket.resolution).toMatchObject({
      code: 'refunded',
      summary: '年费已全额退还 / annual fee refunded in full',
      finalAnswer: true,
      by: 'agent:lia',
      at: expect.any(String),
    });
    const stored = await router.tickets.findById(id);
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'resolved',
      data: { resolution: { code: 'refunded', finalAnswer: true } },
    });
  });

  it('when the code is unknown, or a summary comes without a code, then 400 names /resolutionCode and the ticket stays open', async () => {
    const id = await workedTicket();
    const unknown = await resolve(id, { resolutionCode: 'made-up' }).expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: '/resolutionCode' })]);
    const noCode = await resolve(id, { summary: 'done' }).expect(400);
    expect(noCode.body.errors).toEqual([expect.objectContaining({ path: '/resolutionCode' })]);
    expect((await router.tickets.findById(id))?.status).toBe('in_progress');
    // Without a code a resolve still works (recorded without a resolution).
    expect((await resolve(id, {}).expect(200)).body.ticket.resolution).toBeNull();
  });

  it('when an admin adds a code to rules/resolution-codes.json, then it can be used without a restart', async () => {
    const file = path.join(dir, 'resolution-codes.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as { codes: Array<Record<string, unknown>> };
    config.codes.push({ id: 'apology-letter', name: '致歉信 / Apology letter sent' });
    const reloaded = once(router.rulesReloads, 'reloaded');
    await writeFile(file, JSON.stringify(config, null, 2));
    await reloaded;

    const id = await workedTicket();
    await resolve(id, { resolutionCode: 'apology-letter' }).expect(200);
    expect((await router.tickets.findById(id))?.ticket?.resolution?.code).toBe('apology-letter');
  });
});
