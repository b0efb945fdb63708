import type { RouteJob } from '@triage/shared/jobs';
import type { Job, Worker } from 'bullmq';
import request from 'supertest';
import { cfpbCsvPath, defaultCfpbPath } from '../../tools/cfpb-corpus';
import { cfpbPayloads, deliver, demoPayloads, type DeliveryTally } from '../../tools/demo-loader';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

const secrets = { genericCrm: 'test-generic-crm-secret-0001', cfpb: 'test-cfpb-secret-00000001' };
// The complaints come from two sources (generic-crm, cfpb); a crm key reads only its own, so an admin reads them.
const reader = `Bearer ${testKeys.admin}`;
const csvFile = cfpbCsvPath();
const csvLookedAt = process.env.CFPB_CSV ?? defaultCfpbPath;
const cfpbIt = csvFile === undefined && process.env.CFPB_OPTIONAL === '1' ? it.skip : it;

interface StoredComplaint {
  id: string;
  externalId: string;
  source: string;
  status: string;
  events: Array<{ type: string }>;
  decision: { severity: string; queue: string; tags: string[]; flags: string[] };
}

/**
 * The complaints the router has queued, from the moment it is created: the loader reports
 * counts, not ids, so the test waits for a number of distinct complaints (on `completed`
 * events, never on a clock).
 */
function watchRoutedComplaints(worker: Worker<RouteJob>) {
  const ids = new Set<string>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const onCompleted = (job: Job<RouteJob>) => {
    ids.add(job.data.complaintId);
    for (const waiter of waiters.filter((candidate) => ids.size >= candidate.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  worker.on('completed', onCompleted);
  return {
    ids,
    waitForCount(count: number, timeoutMs = 20_000): Promise<void> {
      if (ids.size >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${ids.size} of ${count} complaints were routed within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop(): void {
      worker.off('completed', onCompleted);
    },
  };
}

describe('demo loader: the bilingual demo set and CFPB records through the signed webhooks', () => {
  let stack: TestStack;
  let routed: ReturnType<typeof watchRoutedComplaints>;
  const demo = demoPayloads();
  const tallies: { first?: DeliveryTally; second?: DeliveryTally } = {};
  const problems: string[] = [];
  /** Complaints stored (whatever their status) once both deliveries of the demo set answered. */
  let receivedAfterSecondRun: number | undefined;
  /** The demo complaints as stored after triage and routing, by external id (demo-001…). */
  const byExternalId = new Map<string, StoredComplaint>();

  const fetchComplaint = async (id: string): Promise<StoredComplaint> =>
    (await request(stack.intake.url).get(`/v1/complaints/${id}`).set('Authorization', reader).expect(200))
      .body;
  const decisionOf = (externalId: string) => byExternalId.get(externalId)?.decision;

  beforeAll(async () => {
    stack = await startTestStack('demoloader', {
      WEBHOOK_SECRETS: `generic-crm:${secrets.genericCrm},cfpb:${secrets.cfpb}`,
    });
    routed = watchRoutedComplaints(stack.router.routeWorker);
    const log = (line: string) => problems.push(line);
    tallies.first = await deliver(stack.intake.url, 'generic-crm', secrets.genericCrm, demo, 0, log);
    await routed.waitForCount(demo.length);
    tallies.second = await deliver(stack.intake.url, 'generic-crm', secrets.genericCrm, demo, 0, log);
    for (const id of [...routed.ids]) {
      const complaint = await fetchComplaint(id);
      byExternalId.set(complaint.externalId, complaint);
    }
    const report = await request(stack.router.url)
      .get('/v1/reports')
      .set('Authorization', `Bearer ${testKeys.admin}`)
      .expect(200);
    receivedAfterSecondRun = report.body.totals.received;
  }, 30_000);

  afterAll(async () => {
    routed?.stop();
    await stack?.stop();
  });

  it('when the demo set is delivered, then all 30 are accepted and every one is triaged and queued', () => {
    expect(problems).toEqual([]);
    expect(demo).toHaveLength(30);
    expect(tallies.first).toEqual({ accepted: 30, duplicates: 0, rejected: 0, failed: 0 });
    expect([...byExternalId.keys()].sort()).toEqual(demo.map((payload) => payload.id).sort());
    for (const complaint of byExternalId.values()) {
      expect(complaint).toMatchObject({ source: 'generic-crm', status: 'queued' });
      expect(complaint.events.map((event) => event.type)).toEqual([
        'received',
        'enqueued',
        'triaged',
        'queued',
      ]);
    }
  });

  it('when the demo set is delivered a second time, then all 30 are recognised as duplicates and none is stored or queued again', () => {
    expect(tallies.second).toEqual({ accepted: 0, duplicates: 30, rejected: 0, failed: 0 });
    expect(receivedAfterSecondRun).toBe(30);
    expect(byExternalId.size).toBe(30);
    // A re-enqueued duplicate would have added events to the original.
    for (const complaint of byExternalId.values()) {
      expect(complaint.events.filter((event) => event.type === 'received')).toHaveLength(1);
    }
  });

  it('when staff are threatened (demo-008 zh, demo-023 en), then the complaint goes to abuse review flagged as an abusive caller', () => {
    for (const externalId of ['demo-008', 'demo-023']) {
      expect({ externalId, ...decisionOf(externalId) }).toMatchObject({
        externalId,
        queue: 'abuse-review',
        flags: expect.arrayContaining(['abusive-caller']),
      });
    }
  });

  it('when a customer speaks of not going on (demo-013 zh, demo-027 en), then the complaint is critical', () => {
    for (const externalId of ['demo-013', 'demo-027']) {
      expect({ externalId, severity: decisionOf(externalId)?.severity }).toEqual({
        externalId,
        severity: 'critical',
      });
    }
  });

  it('when a customer threatens to call 12315 (demo-001), then the complaint is high and tagged regulatory-threat', () => {
    expect(decisionOf('demo-001')).toMatchObject({
      severity: 'high',
      tags: expect.arrayContaining(['regulatory-threat']),
    });
  });

  it('when a customer complains for the third time (demo-029 after demo-016 and demo-028), then it is tagged repeat-complainant', () => {
    // demo-028 is the same customer's second complaint: the rule (three or more within 30 days)
    // does not ask for the tag there, so it is not checked.
    expect(decisionOf('demo-029')).toMatchObject({ tags: expect.arrayContaining(['repeat-complainant']) });
  });

  cfpbIt(
    'when 50 CFPB records are delivered through the cfpb source, then all are accepted and queued',
    async () => {
      if (csvFile === undefined) {
        throw new Error(
          `The CFPB CSV was not found at ${csvLookedAt} (set CFPB_CSV to its path, or CFPB_OPTIONAL=1 to skip this test).`,
        );
      }
      const records = cfpbPayloads(csvFile, 50);
      expect(records).toHaveLength(50);
      const before = routed.ids.size;

      const rejections: string[] = [];
      const tally = await deliver(stack.intake.url, 'cfpb', secrets.cfpb, records, 0, (line) =>
        rejections.push(line),
      );

      expect(rejections).toEqual([]);
      expect(tally).toEqual({ accepted: 50, duplicates: 0, rejected: 0, failed: 0 });
      await routed.waitForCount(before + 50);
      const cfpbIds = [...routed.ids].slice(before);
      for (const id of cfpbIds) {
        expect(await fetchComplaint(id)).toMatchObject({ source: 'cfpb', status: 'queued' });
      }
    },
    30_000,
  );

  it('when the stack has other webhook secrets than the demo one, then the loader stops at the first 401 and says to pass --secret', async () => {
    const lines: string[] = [];
    const tally = await deliver(stack.intake.url, 'generic-crm', 'demo-webhook-secret', demo, 0, (line) =>
      lines.push(line),
    );

    expect(tally).toEqual({ accepted: 0, duplicates: 0, rejected: demo.length, failed: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^401 /);
    expect(lines[0]).toContain('Pass --secret <the value after "generic-crm:" in WEBHOOK_SECRETS>');
  });
});
