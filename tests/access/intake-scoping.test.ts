import request from 'supertest';
import { loadIntakeConfig } from '../../services/intake/src/config';
import type { RunningIntake } from '../../services/intake/src/service';
import { buildComplaint } from '../support/builders';
import {
  buildCfpbRecord,
  buildCrmTicket,
  deliver,
  intakeEnv,
  startIntakeAlone,
  webhookSecrets,
} from '../intake/intake-harness';

/**
 * Issue #12, items 1 and 2 at intake's door: a crm key speaks for its source only, idempotency
 * keys and external ids belong to the caller who sent them, and reads follow the same scope.
 */
const keys = {
  genericCrm: 'access-crm-generic-0001',
  cfpbCrm: 'access-crm-cfpb-0002',
  agent: 'access-agent-bob-0003',
  supervisor: 'access-supervisor-0004',
  admin: 'access-admin-0005',
};
const apiKeys = [
  `${keys.genericCrm}:crm:generic-crm`,
  `${keys.cfpbCrm}:crm:cfpb`,
  `${keys.agent}:agent:bob`,
  `${keys.supervisor}:supervisor:sofia`,
  `${keys.admin}:admin:ada`,
].join(',');

describe('intake: callers are scoped to their source', () => {
  let intake: RunningIntake;

  beforeAll(async () => {
    ({ intake } = await startIntakeAlone('access-intake', { API_KEYS: apiKeys }));
  });

  afterAll(async () => {
    await intake?.stop();
  });

  const post = (key: string, body: object) =>
    request(intake.url).post('/v1/complaints').set('Authorization', `Bearer ${key}`).send(body);
  const read = (key: string, id: string, suffix = '') =>
    request(intake.url).get(`/v1/complaints/${id}${suffix}`).set('Authorization', `Bearer ${key}`);

  it("when an agent posts a complaint claiming a CRM's source and external id, then 403 and the CRM's real delivery is still accepted as new", async () => {
    const ticket = buildCrmTicket();
    const spoof = await post(
      keys.agent,
      buildComplaint({ source: 'generic-crm', externalId: String(ticket.id) }),
    );
    expect(spoof.status).toBe(403);
    expect(spoof.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(spoof.body.id).toBeUndefined();

    const real = await deliver(intake.url, 'generic-crm', ticket).expect(202);
    expect(real.body).toMatchObject({ duplicate: false });
  });

  it("when an agent posts the CRM's external id without a source, then it is the agent's own complaint and never answers for the CRM's", async () => {
    const ticket = buildCrmTicket();
    const mine = await post(keys.agent, buildComplaint({ externalId: String(ticket.id) })).expect(202);
    const real = await deliver(intake.url, 'generic-crm', ticket).expect(202);
    expect(real.body.id).not.toBe(mine.body.id);
    // And the other way round: probing the CRM's id again gives the agent its own complaint.
    const again = await post(keys.agent, buildComplaint({ externalId: String(ticket.id) })).expect(200);
    expect(again.body.id).toBe(mine.body.id);
  });

  it('when a crm posts with an Idempotency-Key and an agent posts another complaint with the same key, then the agent gets a complaint of its own', async () => {
    const crm = await post(keys.genericCrm, buildComplaint())
      .set('Idempotency-Key', 'K-shared-1')
      .expect(202);
    const agent = await post(keys.agent, buildComplaint()).set('Idempotency-Key', 'K-shared-1').expect(202);
    expect(agent.body.id).not.toBe(crm.body.id);
    // Each caller's own retry still deduplicates.
    const retry = await post(keys.genericCrm, buildComplaint())
      .set('Idempotency-Key', 'K-shared-1')
      .expect(200);
    expect(retry.body.id).toBe(crm.body.id);
  });

  it('when one crm uses an Idempotency-Key another crm used, then it is another complaint', async () => {
    const a = await post(keys.genericCrm, buildComplaint()).set('Idempotency-Key', 'K-shared-2').expect(202);
    const b = await post(keys.cfpbCrm, buildComplaint()).set('Idempotency-Key', 'K-shared-2').expect(202);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('when a crm key posts for another source, then 403; without a source the complaint is stored under its own', async () => {
    const other = await post(keys.genericCrm, buildComplaint({ source: 'cfpb' })).expect(403);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.body.id).toBeUndefined();
    const own = await post(keys.genericCrm, buildComplaint()).expect(202);
    const stored = await read(keys.genericCrm, own.body.id).expect(200);
    expect(stored.body.source).toBe('generic-crm');
    await post(keys.genericCrm, buildComplaint({ source: 'generic-crm' })).expect(202);
  });

  it("when a crm key reads another source's complaint, then 404 problem+json without data; its own it reads", async () => {
    const cfpb = await deliver(intake.url, 'cfpb', buildCfpbRecord(), { secret: webhookSecrets.cfpb }).expect(
      202,
    );
    for (const suffix of ['', '/events']) {
      const refused = await read(keys.genericCrm, cfpb.body.id, suffix).expect(404);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.body).toBeUndefined();
      expect(refused.body.events).toBeUndefined();
    }
    await read(keys.cfpbCrm, cfpb.body.id).expect(200);
    await read(keys.cfpbCrm, cfpb.body.id, '/events').expect(200);
  });

  it("when an agent reads a complaint through intake, then 403 pointing to the router's ticket view; supervisors and admins read all", async () => {
    const complaint = await post(keys.genericCrm, buildComplaint()).expect(202);
    for (const suffix of ['', '/events']) {
      const refused = await read(keys.agent, complaint.body.id, suffix).expect(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.detail).toMatch(/\/v1\/tickets\//);
      expect(refused.body.customer).toBeUndefined();
    }
    await read(keys.supervisor, complaint.body.id).expect(200);
    await read(keys.admin, complaint.body.id, '/events').expect(200);
  });

  it('when a complaint is accepted, then its history names the caller by subject, not by a key suffix', async () => {
    const byCrm = await post(keys.genericCrm, buildComplaint()).expect(202);
    const byAgent = await post(keys.agent, buildComplaint()).expect(202);
    const crmEvents = await read(keys.admin, byCrm.body.id, '/events').expect(200);
    const agentEvents = await read(keys.admin, byAgent.body.id, '/events').expect(200);
    expect(crmEvents.body.events[0]).toMatchObject({ type: 'received', actor: 'crm:generic-crm' });
    expect(agentEvents.body.events[0]).toMatchObject({ type: 'received', actor: 'agent:bob' });
  });

  it('when API_KEYS has a crm key without a source, or any key without a subject, then the service refuses to start', () => {
    expect(() => loadIntakeConfig(intakeEnv('unused', { API_KEYS: 'some-crm-key-0001:crm' }))).toThrow(
      /source/,
    );
    expect(() => loadIntakeConfig(intakeEnv('unused', { API_KEYS: 'some-admin-key-001:admin' }))).toThrow(
      /subject|name/,
    );
  });
});
