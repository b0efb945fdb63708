import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('queues.json is reloaded while the router runs', () => {
  let router: RunningRouter;
  let dir: string;
  const admin = { Authorization: `Bearer ${adminKey}` };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'triage-queues-'));
    await cp('rules', dir, { recursive: true });
    router = await startTestRouter(
      routerEnv('queuesreload', ['vic'], {
        RULES_DIR: dir,
        RULES_WATCH: 'true',
        RULES_WATCH_DEBOUNCE_MS: '50',
      }),
    );
    await router.agents.upsert({ _id: 'vic', name: 'Vic', skills: ['vip-care'], capacity: 5, online: true });
  });
  afterAll(async () => {
    await router?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const queueIds = async () =>
    (
      (await request(router.url).get('/v1/queues').set(admin).expect(200)).body.queues as Array<{
        id: string;
      }>
    ).map((queue) => queue.id);
  const queuesFile = () => path.join(dir, 'queues.json');

  it('when an admin adds a queue, then it is served without a restart; when the file is then broken, the last good queues stay', async () => {
    expect(await queueIds()).not.toContain('vip');
    const config = JSON.parse(await readFile(queuesFile(), 'utf8')) as {
      queues: Array<Record<string, unknown>>;
    };
    config.queues.push({
      id: 'vip',
      name: 'VIP care',
      skills: ['vip-care'],
      calendar: 'always',
      escalation: { warningShare: 0.5, steps: [] },
    });
    const reloaded = once(router.rulesReloads, 'reloaded');
    await writeFile(queuesFile(), JSON.stringify(config, null, 2));
    const [ids] = (await reloaded) as [string[]];
    expect(ids).toContain('vip');
    expect(await queueIds()).toContain('vip');

    // A decision naming the new queue is queued there, and an agent with its skill claims it.
    const [id] = await seedTickets(router, [{ queue: 'vip', score: 10 }]);
    expect((await router.tickets.findById(id!))?.ticket?.queue).toBe('vip');
    const claimed = await request(router.url)
      .post('/v1/agents/vic/claim')
      .set('Authorization', `Bearer ${agentKey('vic')}`)
      .expect(200);
    expect(claimed.body.ticket).toMatchObject({ id, queue: 'vip' });

    const rejected = once(router.rulesReloads, 'rejected');
    config.queues.push({ id: 'broken', name: 'Broken', skills: [], mode: 'sideways' });
    await writeFile(queuesFile(), JSON.stringify(config, null, 2));
    const [errors] = (await rejected) as [string[]];
    expect(errors.join('\n')).toMatch(/queues\.json/);
    expect(await queueIds()).toContain('vip');
    expect(await queueIds()).not.toContain('broken');
  });
});
