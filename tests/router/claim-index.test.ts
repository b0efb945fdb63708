import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ClaimIndex, type ClaimIndexEntry } from '../../services/router/src/data-access/claim-index';
import type { RunningRouter } from '../../services/router/src/service';
import { testQueuePrefix, testRedisUrl } from '../support/test-infra';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

const base = Date.UTC(2026, 10, 2, 9, 0, 0);
const entry = (overrides: Partial<ClaimIndexEntry> = {}): ClaimIndexEntry => ({
  ticketId: randomUUID(),
  queue: 'general',
  priorityScore: 50,
  dueAt: new Date(base + 3600_000),
  receivedAt: new Date(base),
  ...overrides,
});

describe('claim index (Redis sorted sets)', () => {
  let redis: Redis;
  let index: ClaimIndex;

  beforeAll(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  beforeEach(() => {
    index = new ClaimIndex(redis, testQueuePrefix());
  });
  afterAll(async () => {
    await redis.quit();
  });

  const popAll = async (queues: string[], skills: string[] = []) => {
    const ids: string[] = [];
    for (let popped = await index.pop(queues, skills); popped; popped = await index.pop(queues, skills)) {
      ids.push(popped.ticketId);
    }
    return ids;
  };

  it('when tickets wait in several queues, then pops follow priority score, then deadline, then arrival, across the queues', async () => {
    const tickets = [
      entry({ queue: 'general', priorityScore: 50, dueAt: new Date(base + 7200_000) }),
      entry({
        queue: 'billing',
        priorityScore: 50,
        dueAt: new Date(base + 3600_000),
        receivedAt: new Date(base + 5),
      }),
      entry({
        queue: 'general',
        priorityScore: 50,
        dueAt: new Date(base + 3600_000),
        receivedAt: new Date(base),
      }),
      entry({ queue: 'billing', priorityScore: 90.5 }),
      entry({ queue: 'general', priorityScore: -3 }),
      entry({ queue: 'credit', priorityScore: 1000 }),
    ];
    for (const ticket of [...tickets].reverse()) await index.upsert(ticket);
    const ids = tickets.map((ticket) => ticket.ticketId);
    expect(await popAll(['general', 'billing'])).toEqual([ids[3], ids[2], ids[1], ids[0], ids[4]]);
    expect(await index.size('credit')).toBe(1);
    expect((await index.entries()).size).toBe(1);
  });

  it('when a waiting ticket changes score or queue, then its old entry is replaced, not duplicated', async () => {
    const moving = entry({ queue: 'general', priorityScore: 10 });
    const other = entry({ queue: 'billing', priorityScore: 20 });
    await index.upsert(moving);
    await index.upsert(other);
    await index.upsert({ ...moving, priorityScore: 30 });
    await index.upsert({ ...moving, queue: 'billing', priorityScore: 30 });
    expect(await index.size('general')).toBe(0);
    expect(await index.size('billing')).toBe(2);
    expect(await popAll(['billing'])).toEqual([moving.ticketId, other.ticketId]);
  });

  it('when tickets need skills of their own, then a pop offers only those whose skills the agent has, in queue order', async () => {
    const plain = entry({ queue: 'general', priorityScore: 10 });
    const chinese = entry({ queue: 'general', priorityScore: 90, skills: ['zh'] });
    const welfareChinese = entry({ queue: 'general', priorityScore: 80, skills: ['welfare', 'zh'] });
    const otherQueue = entry({ queue: 'billing', priorityScore: 100, skills: ['zh'] });
    for (const ticket of [plain, chinese, welfareChinese, otherQueue]) await index.upsert(ticket);

    expect(await popAll(['general'], ['en'])).toEqual([plain.ticketId]);
    expect(await popAll(['general'], ['zh'])).toEqual([chinese.ticketId]);
    expect(await index.size('general')).toBe(1);
    expect(await popAll(['general', 'billing'], ['welfare', 'zh'])).toEqual([
      otherQueue.ticketId,
      welfareChinese.ticketId,
    ]);
    expect((await index.entries()).size).toBe(0);
  });

  it('when push dispatch asks which queues have waiting tickets, then the index names those with entries, in the order asked', async () => {
    const fraud = entry({ queue: 'fraud' });
    await index.upsert(fraud);
    await index.upsert(entry({ queue: 'billing' }));
    expect(await index.queuesWithEntries(['general', 'fraud', 'billing'])).toEqual(['fraud', 'billing']);
    expect(await index.queuesWithEntries([])).toEqual([]);
    await popAll(['fraud']);
    await index.upsert(entry({ queue: 'general', skills: ['zh'] }));
    expect(await index.queuesWithEntries(['general'])).toEqual(['general']);
    await popAll(['general'], ['zh']);
    expect(await index.queuesWithEntries(['fraud', 'general'])).toEqual([]);
  });

  it('when 200 pops race over 100 entries, then every entry is popped exactly once', async () => {
    const tickets = Array.from({ length: 100 }, (_, i) =>
      entry({ priorityScore: i % 7, queue: i % 2 ? 'a' : 'b' }),
    );
    for (const ticket of tickets) await index.upsert(ticket);
    const popped = await Promise.all(Array.from({ length: 200 }, () => index.pop(['a', 'b'], [])));
    const ids = popped.flatMap((item) => (item ? [item.ticketId] : []));
    expect(ids).toHaveLength(100);
    expect(new Set(ids)).toEqual(new Set(tickets.map((ticket) => ticket.ticketId)));
    expect((await index.entries()).size).toBe(0);
  });

  it('when the sweep adds from an old snapshot or removes a changed entry, then the newer entry stands', async () => {
    const ticket = entry({ priorityScore: 10 });
    await index.upsert({ ...ticket, priorityScore: 40 }); // written after the sweep's snapshot
    expect(await index.addIfAbsent(ticket)).toBe(false);
    expect(await index.removeIf(ticket.ticketId, index.valueOf(ticket))).toBe(false);
    const [popped] = [await index.pop(['general'], [])];
    expect(popped).toMatchObject({ ticketId: ticket.ticketId, score: '-40' });
    await index.restore(popped!);
    expect(await index.removeIf(ticket.ticketId, index.valueOf({ ...ticket, priorityScore: 40 }))).toBe(true);
    expect(await index.pop(['general'], [])).toBeNull();
  });
});

describe('router claims through the claim index', () => {
  let router: RunningRouter;
  let redis: Redis;
  const agents = ['ida', 'jon'];
  const env = routerEnv('claimindex', agents);

  beforeAll(async () => {
    redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    router = await startTestRouter(env);
    for (const id of agents) {
      await router.agents.upsert({
        _id: id,
        name: id,
        skills: ['general', 'billing'],
        capacity: 100,
        online: true,
      });
    }
  });
  afterAll(async () => {
    await router?.stop();
    await redis?.quit();
  });

  const claim = (agentId: string) =>
    request(router.url)
      .post(`/v1/agents/${agentId}/claim`)
      .set('Authorization', `Bearer ${agentKey(agentId)}`);
  const release = (agentId: string, id: string) =>
    request(router.url)
      .post(`/v1/tickets/${id}/release`)
      .set('Authorization', `Bearer ${agentKey(agentId)}`)
      .expect(200);

  it('when a ticket is routed, released or transferred, then its entry follows it', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 5 }]);
    const valueIn = async () => (await router.claimIndex.entries()).get(id!);
    expect(await valueIn()).toContain(':claims:general\n');
    const claimed = await claim('ida').expect(200);
    expect(claimed.body.ticket.id).toBe(id);
    expect(await valueIn()).toBeUndefined();
    await release('ida', id!);
    expect(await valueIn()).toContain(':claims:general\n');
    await request(router.url)
      .post(`/v1/tickets/${id}/transfer`)
      .set('Authorization', `Bearer ${adminKey}`)
      .send({ queue: 'billing', reason: 'billing question' })
      .expect(200);
    expect(await valueIn()).toContain(':claims:billing\n');
    expect(await router.claimIndex.size('general')).toBe(0);
    expect((await claim('jon').expect(200)).body.ticket.id).toBe(id);
    await release('jon', id!);
    expect((await claim('jon').expect(200)).body.ticket.id).toBe(id);
    await release('jon', id!);
    expect((await claim('ida').expect(200)).body.ticket.id).toBe(id);
    await release('ida', id!);
    await router.desk.sweep();
  });

  it('when Redis lost the index, then claims still find the tickets in MongoDB and the sweep rebuilds it', async () => {
    await router.desk.sweep();
    const before = await router.claimIndex.entries();
    const ids = await seedTickets(router, [
      { queue: 'general', score: 70 },
      { queue: 'billing', score: 60 },
      { queue: 'general', score: 65 },
    ]);
    const keys = await redis.keys(`${env.QUEUE_PREFIX}:claims:*`);
    expect(keys.length).toBeGreaterThan(1);
    await redis.del(...keys);
    expect((await router.claimIndex.entries()).size).toBe(0);

    // Empty index: the claim asks MongoDB, in queue order.
    const first = await claim('ida').expect(200);
    expect(first.body.ticket.id).toBe(ids[0]);

    const repair = await router.desk.sweep();
    expect(repair.indexRepaired).toBe(before.size + 2);
    const rebuilt = await router.claimIndex.entries();
    expect([...rebuilt.keys()].sort()).toEqual([...before.keys(), ids[1]!, ids[2]!].sort());
    expect((await claim('jon').expect(200)).body.ticket.id).toBe(ids[2]);
    expect((await router.desk.sweep()).indexRepaired).toBe(0);
  });

  it('when an entry is stale (its ticket no longer waits), then a claim skips it and takes the next one', async () => {
    const [stale, next] = await seedTickets(router, [
      { queue: 'billing', score: 99 },
      { queue: 'billing', score: 98 },
    ]);
    // As if claimed through MongoDB while its entry stayed behind.
    await router.tickets.model.updateOne(
      { _id: stale },
      { $set: { status: 'claimed', 'ticket.agentId': 'jon' } },
    );
    const claimed = await claim('ida').expect(200);
    expect(claimed.body.ticket.id).toBe(next);
    expect((await router.claimIndex.entries()).has(stale!)).toBe(false);
  });
});
