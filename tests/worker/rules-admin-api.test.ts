import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { testKeys } from '../support/test-stack';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness';

const admin = `Bearer ${testKeys.admin}`;

type RuleFile = {
  rules: Array<{ name: string; conditions: unknown; event: { params: Record<string, unknown> } }>;
};
const shipped = (name: string) => JSON.parse(readFileSync(path.resolve('rules', name), 'utf8')) as RuleFile;

/** severity.json where legal threats are critical instead of high. */
function legalThreatsCritical(): RuleFile {
  const severity = shipped('severity.json');
  const legal = severity.rules.find((rule) => rule.name === 'legal-threat');
  if (!legal) throw new Error('legal-threat rule missing');
  legal.event.params.severity = 'critical';
  return severity;
}

/** severity.json with an operator that does not exist in rule 3. */
function brokenSeverity(): RuleFile {
  const severity = shipped('severity.json');
  severity.rules[3] = {
    ...severity.rules[3]!,
    conditions: { all: [{ fact: 'text', operator: 'containz', value: ['lawsuit'] }] },
  };
  return severity;
}

const lawsuit = { customer: { id: 'c-1' }, channel: 'web', body: 'I will file a lawsuit over this fee.' };

describe('worker admin API: validate, dry-run, replay', () => {
  let harness: WorkerHarness;
  let liveVersion: string;

  beforeAll(async () => {
    harness = await startWorkerHarness('rulesapi');
    liveVersion = harness.worker.rules.status().version as string;
  });

  afterAll(async () => {
    await harness?.stop();
  });

  describe('POST /v1/rules/validate', () => {
    it('when candidate files are valid, then ok with the version they would have, and the live rules are untouched', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/validate')
        .set('Authorization', admin)
        .send({ files: { 'severity.json': legalThreatsCritical() } })
        .expect(200);
      expect(response.body).toMatchObject({
        ok: true,
        errors: [],
        version: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
      expect(response.body.version).not.toBe(liveVersion);
      expect(harness.worker.rules.status().version).toBe(liveVersion);
    });

    it('when a candidate file has an unknown operator, then every error names the file and JSON path', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/validate')
        .set('Authorization', admin)
        .send({ files: { 'severity.json': brokenSeverity(), 'sla.json': '{ "stage": "sla", ' } })
        .expect(200);
      expect(response.body).toEqual({
        ok: false,
        version: null,
        errors: expect.arrayContaining([
          { file: 'sla.json', path: '/', message: expect.stringMatching(/^not valid JSON/) },
        ]),
      });
      // The JSON error stops compilation before rule conditions are checked; fix it and the operator shows.
      const second = await request(harness.worker.url)
        .post('/v1/rules/validate')
        .set('Authorization', admin)
        .send({ files: { 'severity.json': brokenSeverity() } })
        .expect(200);
      expect(second.body.errors).toEqual([
        {
          file: 'severity.json',
          path: '/rules/3/conditions/all/0/operator',
          message: 'unknown operator "containz"',
        },
      ]);
    });

    it('when the request names a file the ruleset does not have, then 400 naming /files/<name>', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/validate')
        .set('Authorization', admin)
        .send({ files: { 'severty.json': {} } })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.errors).toEqual([
        { path: '/files/severty.json', message: expect.stringMatching(/^unknown rule file/) },
      ]);
    });

    it('when the key is not an admin key, then 403; without a key, 401', async () => {
      await request(harness.worker.url)
        .post('/v1/rules/validate')
        .set('Authorization', `Bearer ${testKeys.crm}`)
        .send({ files: {} })
        .expect(403);
      await request(harness.worker.url).post('/v1/rules/validate').send({ files: {} }).expect(401);
    });
  });

  describe('POST /v1/rules/dry-run', () => {
    it('when candidate files are given, then the complaint is evaluated with them and the answer says so', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/dry-run')
        .set('Authorization', admin)
        .send({ complaint: lawsuit, files: { 'severity.json': legalThreatsCritical() } })
        .expect(200);
      expect(response.body).toMatchObject({
        candidate: true,
        decision: { severity: 'critical', slaPolicy: 'critical' },
      });
      expect(response.body.rulesetVersion).not.toBe(liveVersion);
      expect(response.body.decision.rulesetVersion).toBe(response.body.rulesetVersion);
      const legal = response.body.trace.find((rule: { rule: string }) => rule.rule === 'legal-threat');
      expect(legal).toMatchObject({ stage: 'severity', fired: true });
      expect(JSON.stringify(legal.conditions)).toContain('"matched":["lawsuit"]');
      // Rules the index proved cannot fire (no mortgage words here) are listed, not evaluated.
      const evaluated = response.body.trace.map(
        (rule: { stage: string; rule: string }) => `${rule.stage}/${rule.rule}`,
      );
      expect(response.body.skippedRules).toContain('classify/mortgage');
      expect(evaluated).not.toContain('classify/mortgage');
      expect(response.body.skippedRules).not.toContain('severity/legal-threat');
      expect(evaluated.filter((name: string) => response.body.skippedRules.includes(name))).toEqual([]);
    });

    it('when the candidate files are broken, then 400 with the rule errors as field errors and nothing evaluated', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/dry-run')
        .set('Authorization', admin)
        .send({ complaint: lawsuit, files: { 'severity.json': brokenSeverity() } })
        .expect(400);
      expect(response.body).toMatchObject({
        status: 400,
        errors: [
          {
            path: '/files/severity.json/rules/3/conditions/all/0/operator',
            message: 'unknown operator "containz"',
          },
        ],
        ruleErrors: [
          {
            file: 'severity.json',
            path: '/rules/3/conditions/all/0/operator',
            message: 'unknown operator "containz"',
          },
        ],
      });
    });

    it('when a history and a receipt time are given, then repeat-complainant rules and deadlines use them', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/dry-run')
        .set('Authorization', admin)
        .send({
          complaint: buildComplaint({ body: '宽带又断了，第三次投诉。' }),
          history: { repeatCount: 2 },
          receivedAt: '2026-03-06T17:00:00+08:00',
        })
        .expect(200);
      expect(response.body).toMatchObject({
        candidate: false,
        rulesetVersion: liveVersion,
        relatedComplaintIds: ['earlier-complaint-1', 'earlier-complaint-2'],
        decision: {
          severity: 'high',
          queue: 'escalations',
          tags: expect.arrayContaining(['repeat-complainant']),
          calendar: 'cn-business',
          // high: 240 business minutes from Fri 17:00 → Fri 17:00-18:00, Mon 09:00-12:00 = 240.
          firstResponseDueAt: '2026-03-09T04:00:00.000Z',
        },
      });
    });

    it('when the complaint has an unknown field, then 400 naming it', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/dry-run')
        .set('Authorization', admin)
        .send({ complaint: { ...lawsuit, bdy: 'typo' } })
        .expect(400);
      expect(response.body.errors).toEqual([{ path: '/complaint/bdy', message: expect.any(String) }]);
    });
  });

  describe('POST /v1/rules/replay', () => {
    let ids: string[];
    let before: unknown[];

    beforeAll(async () => {
      const complaints = [
        buildEnglishComplaint({ body: 'I will file a lawsuit if the fee is not refunded.' }),
        buildEnglishComplaint({ body: 'My lawyer has copies of every statement.' }),
        buildEnglishComplaint({ body: 'Double charged again, please refund.' }),
        buildComplaint({ body: '我的信用卡被重复扣费，请退款。' }),
        buildComplaint({ body: '不退款我就打12315。' }),
      ];
      ids = await harness.insert(complaints, new Date(Date.now() - 60_000));
      await harness.triage(ids);
      before = await harness.complaints.find({}).sort({ _id: 1 }).lean();
    });

    it('when a candidate changes a severity rule, then the changed complaints are counted with transitions and examples', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/replay')
        .set('Authorization', admin)
        .send({ files: { 'severity.json': legalThreatsCritical() } })
        .expect(200);
      expect(response.body).toMatchObject({
        limit: 200,
        compared: 5,
        currentVersion: liveVersion,
        changed: { any: 2, severity: 2, category: 0, queue: 0, slaPolicy: 2, firstResponseDueAt: 2 },
        transitions: { severity: { 'high → critical': 2 }, slaPolicy: { 'regulatory → critical': 2 } },
        storedDecisionsDiffer: 0,
        failures: [],
      });
      expect(response.body.candidateVersion).not.toBe(liveVersion);
      expect(response.body.examples).toHaveLength(2);
      expect(response.body.examples[0]).toMatchObject({
        complaintId: expect.any(String),
        excerpt: expect.any(String),
        changes: { severity: { from: 'high', to: 'critical' } },
      });
    });

    it('when a candidate changes an SLA policy, then only deadlines change, computed from the stored receipt time', async () => {
      const policies = JSON.parse(readFileSync(path.resolve('rules', 'sla-policies.json'), 'utf8')) as {
        policies: Array<{ id: string; firstResponseMinutes: number }>;
      };
      const medium = policies.policies.find((policy) => policy.id === 'medium');
      if (!medium) throw new Error('medium policy missing');
      medium.firstResponseMinutes = 60;
      const response = await request(harness.worker.url)
        .post('/v1/rules/replay')
        .set('Authorization', admin)
        .send({ files: { 'sla-policies.json': policies } })
        .expect(200);
      // One of the five runs on the "medium" policy: the Chinese double charge (the English one
      // comes from a gold customer, so it runs on medium-top-tier, which did not change).
      expect(response.body).toMatchObject({
        compared: 5,
        changed: { any: 1, firstResponseDueAt: 1, severity: 0, queue: 0, slaPolicy: 0, resolutionDueAt: 0 },
      });
    });

    it('when a limit is given, then only that many of the newest complaints are replayed', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/replay')
        .set('Authorization', admin)
        .send({ limit: 2, examples: 0 })
        .expect(200);
      expect(response.body).toMatchObject({ limit: 2, compared: 2, examples: [] });
    });

    it('when replay runs without candidate files, then nothing changes (a replay is deterministic)', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/replay')
        .set('Authorization', admin)
        .send({})
        .expect(200);
      expect(response.body).toMatchObject({
        compared: 5,
        changed: { any: 0 },
        candidateVersion: liveVersion,
      });
    });

    it('when replays have run, then no stored complaint was written', async () => {
      const after = await harness.complaints.find({}).sort({ _id: 1 }).lean();
      expect(after).toEqual(before);
    });

    it('when the limit is above 5000, then 400 naming /limit', async () => {
      const response = await request(harness.worker.url)
        .post('/v1/rules/replay')
        .set('Authorization', admin)
        .send({ limit: 5001 })
        .expect(400);
      expect(response.body.errors).toEqual([{ path: '/limit', message: expect.stringMatching(/5000/) }]);
    });
  });
});
