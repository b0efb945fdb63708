import { evaluateComplaint } from '@triage/rules';
import type { ComplaintInput, ComplaintRecord } from '@triage/shared/complaint';
import { TriageRepository } from '../../services/worker/src/data-access/triage-repository';
import { factsOfRecord } from '../../services/worker/src/domain/complaint-facts';
import { explainTrace } from '../../services/worker/src/domain/explain-trace';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness';
import { createLogger } from '@triage/shared/kernel';
import { connectMongo } from '@triage/shared/infra';

/** Complaints that exercise every stage: threats, categories, Chinese, vulnerable customers, repeats. */
const templates: Array<Omit<ComplaintInput, 'customer'>> = [
  { channel: 'phone', body: '信用卡被重复扣费两次，再不退款我就打12315投诉。', language: 'zh-CN' },
  { channel: 'web', body: 'I will file a lawsuit and contact the CFPB about these fees.', language: 'en' },
  { channel: 'email', body: 'Someone opened an account in my name: identity theft.', language: 'en' },
  { channel: 'web', body: 'Please call me back.', language: 'en' },
  { channel: 'chat', body: '你们这帮傻逼，再不退钱弄死你。', language: 'zh-CN' },
  {
    channel: 'web',
    body: 'My pension deposit is missing.',
    metadata: { tags: ['older-american'] },
    language: 'en',
  },
  {
    channel: 'web',
    body: 'Dealer fees I never agreed to.',
    product: 'Vehicle loan or lease',
    metadata: { tags: ['servicemember'] },
  },
  { channel: 'phone', body: '家里宽带每天晚上都断网，报修三次没人上门。', language: 'zh-CN' },
  { channel: 'web', body: 'They took everything and I want to end my life.', language: 'en' },
  {
    channel: 'letter',
    body: 'Incorrect information on your report',
    product: 'Credit reporting or other personal consumer reports',
  },
];

const COUNT = 320;

describe('concurrency: json-rules-engine engines are never shared between overlapping evaluations', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startWorkerHarness('concurrency', { WORKER_CONCURRENCY: '16' });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('when 320 complaints are enqueued at once at concurrency 16, then each gets exactly one decision, equal to a sequential evaluation', async () => {
    // Every tenth customer complains three times, so repeat-complainant facts are in play.
    const inputs: ComplaintInput[] = Array.from({ length: COUNT }, (_, i) => ({
      ...templates[i % templates.length]!,
      customer: {
        id: i % 10 === 0 ? `repeat-${i % 30}` : `customer-${i}`,
        tier: i % 7 === 0 ? 'vip' : 'standard',
      },
    }));
    const ids = await harness.insert(inputs, new Date(Date.now() - 5_000));

    const triagedEvents: string[] = [];
    harness.worker.worker.on('completed', (job, result) => {
      if (result === 'triaged') triagedEvents.push(job.data.complaintId);
    });
    await harness.triage(ids, { duplicates: true, timeoutMs: 60_000 });

    // Exactly one decision and one 'triaged' history event per complaint.
    expect(new Set(triagedEvents).size).toBe(COUNT);
    expect(triagedEvents).toHaveLength(COUNT);
    const stored = await harness.complaints.find({}).lean<ComplaintRecord[]>();
    expect(stored).toHaveLength(COUNT);
    for (const complaint of stored) {
      expect(complaint.status).toBe('triaged');
      expect(complaint.events.filter((event) => event.type === 'triaged')).toHaveLength(1);
      expect(complaint.decision?.rulesetVersion).toBe(harness.worker.rules.status().version);
    }

    // The same evaluation, one complaint at a time, with the same history and the same "now".
    const connection = await connectMongo(harness.env.MONGO_URL ?? '', createLogger('test', 'silent'));
    try {
      const sources = new TriageRepository(connection);
      const ruleset = harness.worker.rules.get();
      for (const complaint of stored) {
        const sequential = await evaluateComplaint(
          ruleset,
          factsOfRecord(complaint),
          sources,
          complaint.decision!.decidedAt,
        );
        expect({ id: complaint._id, decision: complaint.decision }).toEqual({
          id: complaint._id,
          decision: sequential.decision,
        });
        expect(complaint.trace).toEqual(explainTrace(sequential.trace));
        expect([...(complaint.relatedComplaintIds ?? [])].sort()).toEqual(
          [...sequential.relatedComplaintIds].sort(),
        );
      }
    } finally {
      await connection.close();
    }

    const decisions = stored.map((complaint) => complaint.decision!);
    expect(new Set(decisions.map((decision) => decision.queue))).toEqual(
      new Set([
        'cn-service',
        'escalations',
        'fraud',
        'general',
        'abuse-review',
        'billing',
        'credit-reporting',
      ]),
    );
    expect(
      stored.filter((complaint) => complaint.decision!.tags.includes('repeat-complainant')).length,
    ).toBeGreaterThan(0);
  });
});
