import { evaluateComplaint, type ComplaintFacts, type Evaluation, type FactSources } from '@triage/rules';
import { evaluateComplaintWithEngine } from '../../../shared/rules/reference/engine-evaluators';
import { compileShippedRules } from './support/shipped-rules';

const ruleset = compileShippedRules();
const now = new Date('2026-03-04T15:00:00Z');

const bodies = [
  '信用卡被重复扣费两次，再不退款我就打12315投诉。',
  'I will file a lawsuit and contact the CFPB about these fees.',
  'Someone opened an account in my name: identity theft.',
  'Please call me back.',
  '你们这帮傻逼，再不退钱弄死你。',
  'They took everything and I want to end my life.',
  '家里宽带每天晚上都断网，报修三次没人上门。',
];

/** History lookups that answer after a random pause, so evaluations interleave at every await. */
const slowSources: FactSources = {
  recentComplaintIds: (customerId) =>
    new Promise((resolve) =>
      setTimeout(() => resolve(customerId.endsWith('0') ? ['a', 'b', 'c'] : []), Math.random() * 3),
    ),
  openComplaints: () => new Promise((resolve) => setTimeout(() => resolve(1), Math.random() * 3)),
  isBlocklisted: (customerId) =>
    new Promise((resolve) => setTimeout(() => resolve(customerId.endsWith('7')), Math.random() * 3)),
};

const complaints: ComplaintFacts[] = Array.from({ length: 300 }, (_, i) => ({
  id: `c-${i}`,
  source: 'api',
  channel: 'web',
  body: bodies[i % bodies.length]!,
  customer: { id: `customer-${i}`, tier: i % 5 === 0 ? 'vip' : 'standard' },
  receivedAt: new Date(now.getTime() - i * 60_000),
}));

describe.each([
  ['json-rules-engine (a fresh Engine per stage and evaluation)', evaluateComplaintWithEngine],
  ['the compiled evaluation the worker runs', evaluateComplaint],
])('concurrent evaluations with %s', (_name, evaluate) => {
  it('when 300 complaints are evaluated at once, then every decision equals the one-at-a-time decision', async () => {
    const sequential: Evaluation[] = [];
    for (const complaint of complaints) sequential.push(await evaluate(ruleset, complaint, slowSources, now));
    const concurrent = await Promise.all(
      complaints.map((complaint) => evaluate(ruleset, complaint, slowSources, now)),
    );
    expect(concurrent.map((evaluation) => evaluation.decision)).toEqual(
      sequential.map((evaluation) => evaluation.decision),
    );
    expect(new Set(concurrent.map((evaluation) => evaluation.decision.queue)).size).toBeGreaterThan(3);
  });
});
