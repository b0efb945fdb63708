import { customerHistories, maxOutcomesKept } from '@triage/shared/infra';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { OutcomeRepository } from '../../services/router/src/data-access/outcome-repository';
import { buildEnglishComplaint } from '../support/builders';
import { watchCompletedJobs } from '../support/job-watcher';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

describe('prior outcomes feed the rules, end to end', () => {
  let stack: TestStack;
  let connection: Connection;
  const agent = { Authorization: `Bearer ${testKeys.agent('agent-1')}` };

  beforeAll(async () => {
    stack = await startTestStack('outcomes');
    await stack.router.agents.upsert({
      _id: 'agent-1',
      name: 'Agent One',
      skills: ['general', 'billing', 'escalations', 'repeat-desk'],
      capacity: 20,
      online: true,
    });
    connection = await mongoose.createConnection(stack.env.MONGO_URL!).asPromise();
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  /** Posts a complaint and waits until the router has queued its ticket. */
  const submitAndRoute = async (customerId: string) => {
    const routed = watchCompletedJobs(stack.router.routeWorker);
    const accepted = await request(stack.intake.url)
      .post('/v1/complaints')
      .set('Authorization', `Bearer ${testKeys.crm}`)
      .send(buildEnglishComplaint({ customer: { id: customerId, name: 'John Miller', tier: 'gold' } }))
      .expect(202);
    const id: string = accepted.body.id;
    await routed.waitFor(id);
    routed.stop();
    const ticket = await stack.router.tickets.findById(id);
    return ticket!;
  };

  it('when a customer with a final answer complains again on the same category, then the complaint goes to repeat-desk tagged final-answer-given; another customer’s does not', async () => {
    const first = await submitAndRoute('cust-outcomes-x');
    expect(first.decision?.queue).not.toBe('repeat-desk');
    const claimed = await request(stack.router.url).post('/v1/agents/agent-1/claim').set(agent).expect(200);
    expect(claimed.body.ticket.id).toBe(first._id);
    await request(stack.router.url).post(`/v1/tickets/${first._id}/ack`).set(agent).expect(200);
    await request(stack.router.url)
      .post(`/v1/tickets/${first._id}/resolve`)
      .set(agent)
      .send({ resolutionCode: 'explained', summary: 'fee is in the contract', finalAnswer: true })
      .expect(200);

    const second = await submitAndRoute('cust-outcomes-x');
    expect(second.decision).toMatchObject({ category: first.decision?.category, queue: 'repeat-desk' });
    expect(second.decision?.tags).toContain('final-answer-given');
    expect(second.decision?.firedRules.map((rule) => `${rule.stage}/${rule.rule}`)).toContain(
      'route/final-answer-repeat-desk',
    );

    const other = await submitAndRoute('cust-outcomes-y');
    expect(other.decision?.queue).not.toBe('repeat-desk');
    expect(other.decision?.tags).not.toContain('final-answer-given');
  });

  it('when an outcome is recorded again, or more than the kept number are, then the history holds each once and only the newest', async () => {
    const outcomes = new OutcomeRepository(connection);
    const outcome = (n: number) => ({
      complaintId: `c-bounded-${n}`,
      customerId: 'cust-outcomes-bounded',
      category: 'billing',
      code: 'explained',
      finalAnswer: n % 2 === 0,
      at: new Date(Date.UTC(2026, 0, 1) + n * 60_000),
    });
    // No history yet (intake never saw this customer): the first record creates it.
    await outcomes.record(outcome(0));
    await outcomes.record(outcome(0));
    for (let n = 1; n <= maxOutcomesKept + 4; n++) await outcomes.record(outcome(n));
    await outcomes.record(outcome(maxOutcomesKept + 4));

    const history = await customerHistories(connection).findOne({ _id: 'cust-outcomes-bounded' });
    const ids = history?.outcomes?.map((kept) => kept.complaintId) ?? [];
    expect(ids).toHaveLength(maxOutcomesKept);
    expect(new Set(ids).size).toBe(maxOutcomesKept);
    expect(ids.at(0)).toBe('c-bounded-5');
    expect(ids.at(-1)).toBe(`c-bounded-${maxOutcomesKept + 4}`);
  });
});
