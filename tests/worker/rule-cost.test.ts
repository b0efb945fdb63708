import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rulesetLimits } from '@triage/rules';
import request from 'supertest';
import { buildEnglishComplaint } from '../support/builders';
import { testKeys } from '../support/test-stack';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness';

const admin = `Bearer ${testKeys.admin}`;
const budgetMs = 2_000;

type Condition = Record<string, unknown>;
const keywordLeaf = (value: unknown = ['refund']): Condition => ({
  fact: 'text',
  operator: 'containsAny',
  value,
});
const regexLeaf = (pattern: string): Condition => ({
  fact: 'text',
  operator: 'matchesRegex',
  value: pattern,
});
const severityRule = (name: string, conditions: Condition) => ({
  name,
  conditions,
  event: { type: 'severity', params: { severity: 'high' } },
});
const severityFile = (rules: unknown[]) => ({ stage: 'severity', rules });

/** `levels` nested `all` levels around a keyword leaf (the rule's conditions are level 1). */
function nestedConditions(levels: number): Condition {
  let condition: Condition = keywordLeaf();
  for (let level = 0; level < levels; level += 1) condition = { all: [condition] };
  return condition;
}

/**
 * Regexes in the safe subset that still cost about quadratic time on text like "abab…" without
 * an "x": each start position scans to the end. Tens of milliseconds each over 10,000 characters.
 */
const costlyRegexRules = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    severityRule(`costly-${i}`, { all: [regexLeaf(`(?:ab|cd).*x${i}`)] }),
  );
const costlyText = 'ab'.repeat(5_000);

const complaint = { customer: { id: 'c-cost' }, channel: 'web', body: 'I want a refund.' };

describe('worker rule tools: bounded cost', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startWorkerHarness('rulecost', {
      RULES_TOOL_BUDGET_MS: String(budgetMs),
      RULES_TOOL_THREADS: '1',
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const dryRun = (body: unknown) =>
    request(harness.worker.url)
      .post('/v1/rules/dry-run')
      .set('Authorization', admin)
      .send(body as object);

  describe('a candidate beyond a documented limit is refused with file and JSON path', () => {
    const cases: Array<[string, () => unknown, string, RegExp]> = [
      [
        'conditions nested deeper than maxConditionDepth',
        () => severityFile([severityRule('deep', nestedConditions(rulesetLimits.maxConditionDepth + 1))]),
        `/files/severity.json/rules/0/conditions${'/all/0'.repeat(rulesetLimits.maxConditionDepth)}`,
        /nested deeper than 32/,
      ],
      [
        'more rules in a stage than maxRulesPerStage',
        () =>
          severityFile(
            Array.from({ length: rulesetLimits.maxRulesPerStage + 1 }, (_, i) =>
              severityRule(`r-${i}`, { any: [keywordLeaf()] }),
            ),
          ),
        '/files/severity.json/rules',
        /more than 2000 rules/,
      ],
      [
        'a keyword list longer than maxKeywordsPerList',
        () =>
          severityFile([
            severityRule('many', {
              any: [
                keywordLeaf(Array.from({ length: rulesetLimits.maxKeywordsPerList + 1 }, (_, i) => `w${i}`)),
              ],
            }),
          ]),
        '/files/severity.json/rules/0/conditions/any/0/value',
        /at most 500 in one list/,
      ],
      [
        'more regexes than maxRegexesPerRuleset',
        () => severityFile(costlyRegexRules(rulesetLimits.maxRegexesPerRuleset + 1)),
        // The shipped classify.json and route.json hold a few regexes; the one over is in severity.json.
        '/files/severity.json/rules/',
        /more than 200 matchesRegex patterns/,
      ],
      [
        'a regex longer than maxRegexLength',
        () =>
          severityFile([
            severityRule('long', { all: [regexLeaf('a'.repeat(rulesetLimits.maxRegexLength + 1))] }),
          ]),
        '/files/severity.json/rules/0/conditions/all/0/value',
        /at most 500/,
      ],
    ];

    it.each(cases)(
      'when a candidate has %s, then 400 naming the file and path',
      async (_label, file, at, message) => {
        const response = await dryRun({ complaint, files: { 'severity.json': file() } }).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.errors).toEqual(
          expect.arrayContaining([
            { path: expect.stringContaining(at), message: expect.stringMatching(message) },
          ]),
        );
        const validated = await request(harness.worker.url)
          .post('/v1/rules/validate')
          .set('Authorization', admin)
          .send({ files: { 'severity.json': file() } })
          .expect(200);
        expect(validated.body).toMatchObject({ ok: false, version: null });
        expect(validated.body.errors).toEqual(
          expect.arrayContaining([
            {
              file: 'severity.json',
              path: expect.stringContaining(at.replace('/files/severity.json', '')),
              message: expect.stringMatching(message),
            },
          ]),
        );
      },
    );

    it('when the shipped rules are posted as a candidate, then they are within every limit', async () => {
      const shipped = JSON.parse(readFileSync(path.resolve('rules', 'severity.json'), 'utf8')) as unknown;
      await dryRun({ complaint, files: { 'severity.json': shipped } }).expect(200);
    });
  });

  describe('nesting', () => {
    const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

    it.each([
      ['POST', '/v1/rules/validate'],
      ['POST', '/v1/rules/dry-run'],
      ['POST', '/v1/rules/replay'],
      ['PUT', '/v1/blocklist/c-deep'],
    ])(
      'when %s %s gets 10,000 nested arrays inside an object, then 400 problem+json',
      async (method, route) => {
        const body = `{"files":{"severity.json":{"stage":"severity","rules":[{"name":"x","conditions":{"all":${deepArrays(10_000)}}}]}}}`;
        const call =
          method === 'PUT' ? request(harness.worker.url).put(route) : request(harness.worker.url).post(route);
        const response = await call
          .set('Authorization', admin)
          .set('Content-Type', 'application/json')
          .send(body);
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.detail).toMatch(/deeper than 128/);
      },
    );

    it('when a candidate file sent as text nests conditions 10,000 deep, then 400 naming the path, not 500', async () => {
      const text = `{"stage":"severity","rules":[{"name":"x","conditions":${'{"not":'.repeat(10_000)}{"fact":"text","operator":"equal","value":1}${'}'.repeat(10_000)},"event":{"type":"severity","params":{}}}]}`;
      for (const route of ['/v1/rules/dry-run', '/v1/rules/replay']) {
        const response = await request(harness.worker.url)
          .post(route)
          .set('Authorization', admin)
          .send({ ...(route.endsWith('dry-run') ? { complaint } : {}), files: { 'severity.json': text } })
          .expect(400);
        expect(response.body.errors).toEqual([
          {
            path: expect.stringMatching(/^\/files\/severity\.json\/rules\/0\/conditions(\/not)+$/),
            message: expect.stringMatching(/nest/),
          },
        ]);
      }
    });
  });

  describe('time budget', () => {
    const hostile = () =>
      dryRun({
        complaint: { ...complaint, body: costlyText },
        files: { 'severity.json': severityFile(costlyRegexRules(rulesetLimits.maxRegexesPerRuleset - 10)) },
      });

    it('when a dry-run costs more than the budget, then 422 after about the budget, while /health, /ready and live triage keep answering', async () => {
      const started = performance.now();
      let dryRunDone = false;
      const running = hostile().then((response) => {
        dryRunDone = true;
        return { response, ms: performance.now() - started };
      });

      // While it runs: probes one after another (no sleeps), and a live complaint triaged.
      const probeMs: number[] = [];
      const probing = (async () => {
        while (!dryRunDone) {
          const before = performance.now();
          await request(harness.worker.url).get('/health').expect(200);
          await request(harness.worker.url).get('/ready').expect(200);
          probeMs.push(performance.now() - before);
        }
      })();
      const [id] = await harness.insert([
        buildEnglishComplaint({ customer: { id: 'c-live-during-dry-run' } }),
      ]);
      await harness.triage([id as string]);
      const triagedBeforeDryRunEnded = !dryRunDone;
      const stored = await harness.complaints.findById(id).lean();

      const { response, ms } = await running;
      await probing;
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({
        status: 422,
        type: expect.stringMatching(/rule-tool-over-budget$/),
        detail: expect.stringContaining(`longer than ${budgetMs} ms to dry-run`),
      });
      expect(ms).toBeGreaterThanOrEqual(budgetMs);
      expect(ms).toBeLessThan(budgetMs + 5_000); // the budget plus a thread's start-up on a busy machine
      expect(triagedBeforeDryRunEnded).toBe(true);
      expect(stored?.decision?.severity).toEqual(expect.any(String));
      expect(probeMs.length).toBeGreaterThan(2);
      expect(Math.max(...probeMs)).toBeLessThan(budgetMs / 2);
    });

    it('when every rule-tool thread is busy, then the next dry-run gets 503 with Retry-After', async () => {
      const responses = await Promise.all([hostile(), hostile()]);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([422, 503]);
      const busy = responses.find((response) => response.status === 503);
      expect(busy?.headers['retry-after']).toBe(String(Math.ceil(budgetMs / 1000)));
      expect(busy?.body).toMatchObject({ status: 503, detail: expect.stringMatching(/busy/) });
    });

    it('when the OpenAPI document is read, then dry-run and replay list 422 and 503', async () => {
      const document = await request(harness.worker.url).get('/openapi.json').expect(200);
      for (const route of ['/v1/rules/dry-run', '/v1/rules/replay']) {
        expect(Object.keys(document.body.paths[route].post.responses)).toEqual(
          expect.arrayContaining(['400', '422', '503']),
        );
      }
    });

    it('when the costly candidate is refused, then an ordinary dry-run still answers', async () => {
      const response = await dryRun({ complaint }).expect(200);
      expect(response.body.candidate).toBe(false);
    });
  });
});
