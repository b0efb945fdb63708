import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildComplaint, buildEnglishComplaint } from '../support/builders';
import { testMongoUrl } from '../support/test-infra';
import { startWorkerHarness, type WorkerHarness } from '../worker/support/worker-harness';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `npm run rules -- …` as a newcomer would and collects its exit code and output. */
function runRulesCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'tools', 'rules-cli.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run rules -- replay', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startWorkerHarness('rulescli');
    const ids = await harness.insert([buildComplaint(), buildEnglishComplaint()]);
    await harness.triage(ids);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('when --mongo names no database (as the bare server URL), then it refuses with exit 2 and shows the URL to use', async () => {
    const serverUrl = new URL(testMongoUrl('cli'));
    serverUrl.pathname = '/';

    const result = await runRulesCli(['replay', '--mongo', serverUrl.toString()]);

    expect(result.code).toBe(2);
    expect(result.output).toContain(`--mongo ${serverUrl.toString()} names no database`);
    expect(result.output).toContain(`${serverUrl.toString()}triage`);
  }, 30_000);

  it('when --mongo names the database with the triaged complaints, then it replays them and exits 0', async () => {
    const result = await runRulesCli(['replay', '--mongo', harness.env.MONGO_URL!, '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.output.slice(result.output.indexOf('{')))).toMatchObject({
      limit: 200,
      compared: 2,
    });
  }, 30_000);
});
