import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { testKeys } from '../support/test-stack';
import { nextNewVersion, nextRejection } from './support/holder-events';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness';

const admin = `Bearer ${testKeys.admin}`;
const lawsuit = {
  complaint: { customer: { id: 'c-1' }, channel: 'web', body: 'I will file a lawsuit over this fee.' },
};

describe('hot reload of rules/', () => {
  let rulesDir: string;
  let harness: WorkerHarness;
  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    }),
  );

  beforeAll(async () => {
    rulesDir = await mkdtemp(path.join(tmpdir(), 'triage-rules-'));
    await cp(path.resolve('rules'), rulesDir, { recursive: true });
    harness = await startWorkerHarness(
      'hotreload',
      {
        RULES_DIR: rulesDir,
        RULES_WATCH: 'true',
        RULES_WATCH_DEBOUNCE_MS: '50',
      },
      { logger },
    );
  });

  afterAll(async () => {
    await harness?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  it('when a rule file breaks, then the error is logged and shown with file and path, and the last good ruleset keeps serving; when it is fixed, then the new version goes live', async () => {
    const severityFile = path.join(rulesDir, 'severity.json');
    const original = await readFile(severityFile, 'utf8');
    const startVersion = harness.worker.rules.status().version as string;
    const status = await request(harness.worker.url).get('/v1/rules').set('Authorization', admin).expect(200);
    expect(status.body).toMatchObject({ version: startVersion, errors: [], watching: true });

    // Break it: an operator that does not exist.
    const severity = JSON.parse(original) as { rules: Array<{ conditions: unknown }> };
    severity.rules[3] = {
      ...severity.rules[3],
      conditions: { all: [{ fact: 'text', operator: 'containz', value: ['lawsuit'] }] },
    };
    const rejected = nextRejection(harness.worker.rules, (errors) =>
      errors.some((error) => error.path === '/rules/3/conditions/all/0/operator'),
    );
    await writeFile(severityFile, JSON.stringify(severity, null, 2));
    await rejected;
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'rule change rejected; the last good ruleset keeps serving',
        liveVersion: startVersion,
        errors: expect.arrayContaining([
          'rules/severity.json /rules/3/conditions/all/0/operator: unknown operator "containz"',
        ]),
      }),
    );

    const broken = await request(harness.worker.url).get('/v1/rules').set('Authorization', admin).expect(200);
    expect(broken.body).toMatchObject({
      version: startVersion,
      errors: [
        {
          file: 'severity.json',
          path: '/rules/3/conditions/all/0/operator',
          message: 'unknown operator "containz"',
        },
      ],
      rejectedAt: expect.any(String),
    });
    const stillServing = await request(harness.worker.url)
      .post('/v1/rules/dry-run')
      .set('Authorization', admin)
      .send(lawsuit)
      .expect(200);
    expect(stillServing.body.rulesetVersion).toBe(startVersion);
    expect(stillServing.body.decision).toMatchObject({ severity: 'high', rulesetVersion: startVersion });

    // Fix it differently: legal threats become critical.
    const fixed = JSON.parse(original) as {
      rules: Array<{ name: string; event: { params: { severity?: string } } }>;
    };
    const legal = fixed.rules.find((rule) => rule.name === 'legal-threat');
    if (!legal) throw new Error('legal-threat rule not found');
    legal.event.params.severity = 'critical';
    const applied = nextNewVersion(harness.worker.rules, startVersion);
    await writeFile(severityFile, JSON.stringify(fixed, null, 2));
    const next = await applied;

    const healed = await request(harness.worker.url).get('/v1/rules').set('Authorization', admin).expect(200);
    expect(healed.body).toMatchObject({ version: next.version, errors: [], rejectedAt: null });
    expect(next.version).not.toBe(startVersion);
    const evaluated = await request(harness.worker.url)
      .post('/v1/rules/dry-run')
      .set('Authorization', admin)
      .send(lawsuit)
      .expect(200);
    expect(evaluated.body.decision).toMatchObject({ severity: 'critical', rulesetVersion: next.version });
  });

  it('when a file is replaced by rename (as editors save), then the change is picked up too', async () => {
    const routeFile = path.join(rulesDir, 'route.json');
    const route = JSON.parse(await readFile(routeFile, 'utf8')) as { description: string };
    route.description = `${route.description} (edited)`;
    const before = harness.worker.rules.status().version as string;
    const applied = nextNewVersion(harness.worker.rules, before);
    const temporary = path.join(rulesDir, '.route.json.tmp');
    await writeFile(temporary, JSON.stringify(route, null, 2));
    await rename(temporary, routeFile);
    expect((await applied).version).not.toBe(before);
  });
});
