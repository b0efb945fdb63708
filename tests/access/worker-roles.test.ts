import request from 'supertest';
import { testKeys } from '../support/test-stack';
import { startWorkerHarness, type WorkerHarness } from '../worker/support/worker-harness';

/**
 * Issue #12, item 1 at the worker: rule editing is the admin's; supervisors read the blocklist but
 * do not change it; every blocklist entry names the admin who made it, not a key suffix.
 */
const supervisorKey = 'worker-test-supervisor-sofia';
const agentKey = 'worker-test-agent-bob';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('worker: who may edit rules and the blocklist', () => {
  let harness: WorkerHarness;
  const call = (key: string) => ({ Authorization: `Bearer ${key}` });

  beforeAll(async () => {
    harness = await startWorkerHarness('access-worker', {
      API_KEYS: [
        `${testKeys.admin}:admin:ada`,
        `${supervisorKey}:supervisor:sofia`,
        `${agentKey}:agent:bob`,
        `${testKeys.crm}:crm:generic-crm`,
      ].join(','),
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('when a supervisor, an agent or a crm calls the rules admin API, then 403 problem+json; an admin is served', async () => {
    const dryRun = {
      complaint: {
        customer: { id: 'x' },
        channel: 'web',
        body: 'I will file a lawsuit and contact the CFPB.',
      },
    };
    for (const key of [supervisorKey, agentKey, testKeys.crm]) {
      const refused = await request(harness.worker.url).get('/v1/rules').set(call(key)).expect(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      await request(harness.worker.url).post('/v1/rules/dry-run').set(call(key)).send(dryRun).expect(403);
    }
    await request(harness.worker.url).get('/v1/rules').set(call(testKeys.admin)).expect(200);
  });

  it('when an admin blocklists a customer, then the entry names the admin; a supervisor reads it but may not change it', async () => {
    const added = await request(harness.worker.url)
      .put('/v1/blocklist/c-access-1')
      .set(call(testKeys.admin))
      .send({ until: inDays(7), reason: 'threatened staff' })
      .expect(201);
    expect(added.body).toMatchObject({ addedBy: 'admin:ada' });
    const read = await request(harness.worker.url)
      .get('/v1/blocklist/c-access-1')
      .set(call(supervisorKey))
      .expect(200);
    expect(read.body.history[0]).toMatchObject({ action: 'blocked', by: 'admin:ada' });
    await request(harness.worker.url).get('/v1/blocklist').set(call(supervisorKey)).expect(200);
    await request(harness.worker.url)
      .put('/v1/blocklist/c-access-2')
      .set(call(supervisorKey))
      .send({ until: inDays(7), reason: 'rude' })
      .expect(403);
    await request(harness.worker.url).delete('/v1/blocklist/c-access-1').set(call(supervisorKey)).expect(403);
    await request(harness.worker.url).get('/v1/blocklist').set(call(agentKey)).expect(403);
  });
});
