import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { agentKey, routerEnv, seedTickets, startTestRouter } from '../router/support/router-harness';

/*
 * The desk routes added for the agent's side (notes, assign, override, search, resolution codes)
 * tried with keys that may not use them: a CRM's key, and an agent acting on another agent's
 * ticket or in a supervisor's place. Each gets a problem+json refusal and changes nothing.
 */
describe('router desk routes refuse the wrong caller', () => {
  let router: RunningRouter;
  const crmKey = 'router-test-crm-generic-crm-key';
  const env = routerEnv('deskaccess', ['ann', 'ben']);

  beforeAll(async () => {
    router = await startTestRouter({ ...env, API_KEYS: `${env.API_KEYS},${crmKey}:crm:generic-crm` });
    await router.agents.upsert({ _id: 'ann', name: 'Ann', skills: ['general'], capacity: 5, online: true });
    await router.agents.upsert({ _id: 'ben', name: 'Ben', skills: ['billing'], capacity: 5, online: true });
  });
  afterAll(async () => {
    await router?.stop();
  });

  const call = (method: 'get' | 'post', path: string, key: string, body?: object) => {
    const req = request(router.url)[method](path).set('Authorization', `Bearer ${key}`);
    return body ? req.send(body) : req;
  };

  it('when a CRM key calls any desk route, then 403 problem+json and the ticket is unchanged', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const before = await router.tickets.findById(id!);
    const attempts: Array<[method: 'get' | 'post', path: string, body?: object]> = [
      ['post', `/v1/tickets/${id}/notes`, { text: 'from the CRM' }],
      ['post', `/v1/tickets/${id}/assign`, { agentId: 'ann' }],
      ['post', `/v1/tickets/${id}/override`, { severity: 'critical', reason: 'escalate me' }],
      ['get', '/v1/tickets?customerId=anyone'],
      ['get', '/v1/resolution-codes'],
    ];
    for (const [method, path, body] of attempts) {
      const refused = await call(method, path, crmKey, body).expect(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const after = await router.tickets.findById(id!);
    expect(after?.status).toBe(before?.status);
    expect(after?.events).toHaveLength(before?.events.length ?? -1);
    expect(after?.notes ?? []).toEqual([]);
  });

  it('when an agent acts in a supervisor’s place or on a ticket outside their queues, then nothing changes', async () => {
    const [general] = await seedTickets(router, [{ queue: 'general' }]);
    // Ben serves billing only: Ann's general ticket is not his to read, write on or take.
    await call('post', `/v1/tickets/${general}/notes`, agentKey('ben'), { text: 'not mine' }).expect(404);
    await call('post', `/v1/tickets/${general}/assign`, agentKey('ben'), { agentId: 'ben' }).expect(403);
    await call('post', `/v1/tickets/${general}/override`, agentKey('ann'), {
      priorityScore: 9999,
      reason: 'me first',
    }).expect(403);
    await call('get', `/v1/tickets?customerId=anyone`, agentKey('ann')).expect(403);
    const stored = await router.tickets.findById(general!);
    expect(stored?.status).toBe('queued');
    expect(stored?.notes ?? []).toEqual([]);
    expect(stored?.events.map((event) => event.type)).toEqual(['triaged', 'queued']);
  });
});
