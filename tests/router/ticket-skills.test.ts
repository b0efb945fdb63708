import { Redis } from 'ioredis';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { spawnRouter, type ChildRouter } from './support/child-router';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

/*
 * A ticket needs its queue's skills plus those its route rules added (rules/route.json gives
 * `zh` and `welfare`). Claims through the claim index, claims from MongoDB alone and push
 * assignment offer it only to an agent who has all of them.
 */

const claim = (url: string, agentId: string) =>
  request(url)
    .post(`/v1/agents/${agentId}/claim`)
    .set('Authorization', `Bearer ${agentKey(agentId)}`);

describe('ticket skills: only an agent with every skill a ticket needs gets it', () => {
  // Maria and Bob speak no Chinese; Li and Wang do; only Wang handles welfare risks.
  const agents = ['maria', 'bob', 'li', 'wang'];
  const skillsOf: Record<string, string[]> = {
    maria: ['escalations', 'general'],
    bob: ['escalations', 'general'],
    li: ['escalations', 'general', 'zh'],
    wang: ['escalations', 'general', 'zh', 'welfare'],
  };
  const env = routerEnv('ticketskills', agents);
  let router: RunningRouter;
  let child: ChildRouter;

  beforeAll(async () => {
    router = await startTestRouter(env);
    child = await spawnRouter(env);
  }, 60_000);

  afterAll(async () => {
    await child?.stop();
    await router?.stop();
  });

  beforeEach(async () => {
    await router.tickets.model.deleteMany({});
    for (const id of agents) {
      await router.agents.upsert({
        _id: id,
        name: id,
        skills: skillsOf[id] ?? [],
        capacity: 1000,
        online: true,
      });
    }
  });

  const seedMixed = (perKind: number) =>
    seedTickets(router, [
      ...Array.from({ length: perKind }, () => ({ queue: 'escalations', skills: ['escalations'] })),
      ...Array.from({ length: perKind }, () => ({
        queue: 'escalations',
        skills: ['escalations', 'zh'],
        score: 90,
      })),
      ...Array.from({ length: perKind }, () => ({
        queue: 'escalations',
        skills: ['escalations', 'welfare', 'zh'],
        score: 95,
      })),
    ]);

  const claimAllConcurrently = async () => {
    const urls = [router.url, child.url];
    const claims: Array<{ agentId: string; ticketId: string }> = [];
    await Promise.all(
      agents.map(async (agentId, index) => {
        for (;;) {
          const response = await claim(urls[index % 2] ?? router.url, agentId);
          if (response.status === 204) return;
          expect(response.status).toBe(200);
          claims.push({ agentId, ticketId: response.body.ticket.id });
        }
      }),
    );
    return claims;
  };

  const assertEachClaimServable = async (claims: Array<{ agentId: string; ticketId: string }>) => {
    const stored = await router.tickets.model
      .find({ _id: { $in: claims.map((c) => c.ticketId) } }, { 'ticket.skills': 1, 'ticket.agentId': 1 })
      .lean();
    for (const doc of stored) {
      const holder = doc.ticket?.agentId ?? '';
      for (const skill of doc.ticket?.skills ?? []) expect(skillsOf[holder]).toContain(skill);
    }
    expect(stored).toHaveLength(claims.length);
  };

  it('when a Chinese ticket waits first in line, then an agent without zh claims the next ticket they can serve, and the ticket shows the skills it needs', async () => {
    const [plain, chinese] = await seedTickets(router, [
      { queue: 'escalations', skills: ['escalations'], score: 10 },
      { queue: 'escalations', skills: ['escalations', 'zh'], score: 99 },
    ]);
    const maria = await claim(router.url, 'maria').expect(200);
    expect(maria.body.ticket.id).toBe(plain);

    const view = await request(router.url)
      .get(`/v1/tickets/${chinese}`)
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    expect(view.body.ticket.skills).toEqual(['zh']);
    await claim(router.url, 'bob').expect(204);
    expect((await claim(router.url, 'li').expect(200)).body.ticket.id).toBe(chinese);
  });

  it('when four agents claim concurrently through two processes, then every ticket goes once, each to an agent with all its skills', async () => {
    const seeded = await seedMixed(30);
    const claims = await claimAllConcurrently();
    expect(claims.map((c) => c.ticketId).sort()).toEqual([...seeded].sort());
    await assertEachClaimServable(claims);
    expect(claims.filter((c) => c.agentId === 'wang').length).toBeGreaterThanOrEqual(30);
  }, 60_000);

  it('when the claim index is lost, then claims from MongoDB alone honour the skills just as well', async () => {
    const seeded = await seedMixed(10);
    const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${env.QUEUE_PREFIX}:claims:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
    const claims = await claimAllConcurrently();
    expect(claims.map((c) => c.ticketId).sort()).toEqual([...seeded].sort());
    await assertEachClaimServable(claims);
  }, 60_000);

  it('when only agents without zh are online, then the Chinese ticket waits, counted as unservable, until an agent with zh comes online', async () => {
    await router.agents.upsert({
      _id: 'li',
      name: 'li',
      skills: skillsOf.li ?? [],
      capacity: 1000,
      online: false,
    });
    await router.agents.upsert({
      _id: 'wang',
      name: 'wang',
      skills: skillsOf.wang ?? [],
      capacity: 1000,
      online: false,
    });
    const [chinese] = await seedTickets(router, [{ queue: 'escalations', skills: ['escalations', 'zh'] }]);
    await claim(router.url, 'maria').expect(204);

    const queues = await request(router.url)
      .get('/v1/queues')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    const escalations = queues.body.queues.find((q: { id: string }) => q.id === 'escalations');
    expect(escalations).toMatchObject({ depth: 1, unservable: 1 });

    await request(router.url)
      .post('/v1/agents/li/presence')
      .set('Authorization', `Bearer ${agentKey('li')}`)
      .send({ online: true })
      .expect(200);
    const after = await request(router.url)
      .get('/v1/queues')
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    expect(after.body.queues.find((q: { id: string }) => q.id === 'escalations')).toMatchObject({
      unservable: 0,
    });
    expect((await claim(router.url, 'li').expect(200)).body.ticket.id).toBe(chinese);
  });

  it('when a push queue gets a Chinese ticket, then it is assigned to the agent with zh even though an agent without zh is less loaded', async () => {
    // Two fraud agents of their own (push assigns by load, so their counters start at zero).
    await router.agents.upsert({
      _id: 'fraud-bob',
      name: 'Bob',
      skills: ['fraud'],
      capacity: 5,
      online: true,
    });
    await router.agents.upsert({
      _id: 'fraud-li',
      name: 'Li',
      skills: ['fraud', 'zh'],
      capacity: 5,
      online: true,
    });
    const [chinese, plain] = await seedTickets(router, [
      { queue: 'fraud', skills: ['fraud', 'zh'], score: 99 },
      { queue: 'fraud', skills: ['fraud'], score: 10 },
    ]);
    const stored = await router.tickets.model
      .find({ _id: { $in: [chinese, plain] } }, { status: 1, 'ticket.agentId': 1 })
      .lean();
    const holderOf = new Map(stored.map((doc) => [doc._id, doc.ticket?.agentId]));
    expect(holderOf.get(chinese ?? '')).toBe('fraud-li');
    expect(holderOf.get(plain ?? '')).toBe('fraud-bob');
  });
});
