import { Redis } from 'ioredis';
import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { spawnRouter, type ChildRouter } from './support/child-router';
import { agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

const TICKETS = 500;
const CLAIMERS = 50;

describe('claims across two router processes', () => {
  const agents = Array.from({ length: CLAIMERS }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
  const env = routerEnv('twoprocess', agents);
  let inProcess: RunningRouter;
  let child: ChildRouter;

  beforeAll(async () => {
    inProcess = await startTestRouter(env);
    child = await spawnRouter(env);
    for (const id of agents) {
      await inProcess.agents.upsert({
        _id: id,
        name: id,
        skills: ['general', 'billing'],
        capacity: 1000,
        online: true,
      });
    }
    const queues = ['general', 'billing'];
    await seedTickets(
      inProcess,
      Array.from({ length: TICKETS }, (_, i) => ({
        queue: queues[i % 2] ?? 'general',
        score: i % 17,
        firstResponseMs: 4 * 3600_000 + i * 1000,
      })),
    );
  }, 120_000);

  afterAll(async () => {
    await child?.stop();
    await inProcess?.stop();
  });

  const claimUntilEmpty = async () => {
    const urls = [inProcess.url, child.url];
    const claims: Array<{ agentId: string; ticketId: string; via: number }> = [];
    await Promise.all(
      agents.map(async (agentId, index) => {
        const via = index % 2;
        for (;;) {
          const response = await request(urls[via] ?? inProcess.url)
            .post(`/v1/agents/${agentId}/claim`)
            .set('Authorization', `Bearer ${agentKey(agentId)}`);
          if (response.status === 204) return;
          expect(response.status).toBe(200);
          claims.push({ agentId, ticketId: response.body.ticket.id, via });
        }
      }),
    );
    return claims;
  };

  it('when 50 agents claim concurrently through two processes until the queues are empty, then every ticket goes to exactly one agent', async () => {
    // Every ticket waits in the claim index (ADR 0006): the claims below pop it concurrently.
    expect((await inProcess.claimIndex.entries()).size).toBe(TICKETS);
    const claims = await claimUntilEmpty();
    expect((await inProcess.claimIndex.entries()).size).toBe(0);

    const ticketIds = claims.map((claim) => claim.ticketId);
    expect(new Set(ticketIds).size).toBe(TICKETS);
    expect(ticketIds).toHaveLength(TICKETS);
    expect(claims.filter((claim) => claim.via === 0).length).toBeGreaterThan(0);
    expect(claims.filter((claim) => claim.via === 1).length).toBeGreaterThan(0);

    const stored = await inProcess.tickets.model
      .find({ _id: { $in: ticketIds } }, { status: 1, 'ticket.agentId': 1, events: 1 })
      .lean();
    const holderOf = new Map(claims.map((claim) => [claim.ticketId, claim.agentId]));
    for (const doc of stored) {
      expect(doc.status).toBe('claimed');
      expect(doc.events.filter((event) => event.type === 'claimed')).toHaveLength(1);
      expect(doc.ticket?.agentId).toBe(holderOf.get(doc._id));
    }
    const counters = await inProcess.agents.list();
    expect(counters.reduce((sum, agent) => sum + agent.activeTickets, 0)).toBe(TICKETS);
  }, 120_000);

  it('when the claim index is lost, then claims from MongoDB alone are just as exclusive', async () => {
    const more = 100;
    const seeded = await seedTickets(
      inProcess,
      Array.from({ length: more }, (_, i) => ({ queue: i % 2 ? 'billing' : 'general', score: i % 5 })),
    );
    const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${env.QUEUE_PREFIX}:claims:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
    const claims = await claimUntilEmpty();
    expect(claims.map((claim) => claim.ticketId).sort()).toEqual([...seeded].sort());
  }, 120_000);
});
