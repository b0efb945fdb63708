/**
 * Runs every benchmark in bench/ one after the other, each in its own process (they start
 * servers, set clocks and warm JITs that must not leak into each other), and says at the end
 * which ones failed. Results and how to read them: docs/benchmarks.md.
 *
 *   npm run bench                 every benchmark present
 *   npm run bench -- rules        only those whose file name contains "rules"
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The benchmarks, in the order they run; a missing file is skipped with a note. */
const benchmarks = [
  'rules-throughput.ts',
  'claim-throughput.ts',
  'claim-resolve-loop.ts',
  'sla-timers.ts',
  'pipeline-throughput.ts',
];

function main(): void {
  const filters = process.argv.slice(2);
  const selected = benchmarks.filter(
    (file) => filters.length === 0 || filters.some((filter) => file.includes(filter)),
  );
  const failed: string[] = [];
  for (const file of selected) {
    const script = path.join(__dirname, file);
    if (!existsSync(script)) {
      console.log(`\n=== bench/${file}: not present, skipped`);
      continue;
    }
    console.log(`\n=== bench/${file}\n`);
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      stdio: 'inherit',
      cwd: path.resolve(__dirname, '..'),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (result.status !== 0) {
      failed.push(file);
      console.log(`\n=== bench/${file}: FAILED (exit ${result.status ?? result.signal}) after ${seconds} s`);
    } else {
      console.log(`\n=== bench/${file}: done in ${seconds} s`);
    }
  }
  if (failed.length > 0) {
    console.log(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
