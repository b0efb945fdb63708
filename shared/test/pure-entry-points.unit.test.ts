import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const frameworks = ['express', 'mongoose', 'mongodb', 'bullmq', 'ioredis', 'prom-client', 'pino-http'];

/** The npm packages a fresh Node process has loaded after requiring `entries` (TypeScript sources). */
function packagesLoadedBy(entries: string[]): string[] {
  const script = `
    for (const entry of ${JSON.stringify(entries)}) require(entry);
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = file.match(/node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/);
      if (match) names.add(match[1].replace('\\\\', '/'));
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const run = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

const source = (entry: string) => path.join(ROOT, entry);

describe('the entry points domain code may load', () => {
  it('when kernel, complaint, jobs and @triage/rules are loaded, then no framework or driver is', () => {
    const loaded = packagesLoadedBy([
      source('shared/src/kernel/index.ts'),
      source('shared/src/complaint/index.ts'),
      source('shared/src/jobs/index.ts'),
      source('shared/rules/src/index.ts'),
    ]);
    expect(loaded).toContain('zod');
    expect(loaded.filter((name) => frameworks.includes(name))).toEqual([]);
  });

  it('when the http and infra entry points are loaded, then the check sees their frameworks', () => {
    const loaded = packagesLoadedBy([
      source('shared/src/http/index.ts'),
      source('shared/src/infra/index.ts'),
    ]);
    expect(loaded).toEqual(expect.arrayContaining(['express', 'mongoose', 'ioredis', 'prom-client']));
  });
});
