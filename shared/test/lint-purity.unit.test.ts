import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** What ESLint says about `code` as if it were the file at `file` (nothing is written). */
function lint(file: string, code: string): { exitCode: number | null; output: string } {
  const run = spawnSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', file], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  return { exitCode: run.status, output: run.stdout + run.stderr };
}

describe('the purity rule in eslint.config.mjs', () => {
  it.each([
    ['services/router/src/domain/probe.ts', "import express from 'express';\nexport const app = express;\n"],
    ['services/worker/src/domain/probe.ts', "import { Queue } from 'bullmq';\nexport const q = Queue;\n"],
    [
      'services/intake/src/domain/probe.ts',
      "import { complaintModel } from '@triage/shared/infra';\nexport const m = complaintModel;\n",
    ],
    ['shared/rules/src/probe.ts', "import mongoose from 'mongoose';\nexport const m = mongoose;\n"],
    ['shared/src/complaint/probe.ts', "import { Redis } from 'ioredis';\nexport const r = Redis;\n"],
  ])('when %s imports a framework or driver, then the lint fails', (file, code) => {
    const { exitCode, output } = lint(file, code);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/no-restricted-imports/);
  });

  it('when a domain file imports the kernel and the complaint model, then the lint passes', () => {
    const code =
      "import { NotFoundError } from '@triage/shared/kernel';\nimport type { ComplaintRecord } from '@triage/shared/complaint';\n" +
      "export function missing(record: ComplaintRecord | null): ComplaintRecord {\n  if (!record) throw new NotFoundError('no such complaint');\n  return record;\n}\n";
    const { exitCode, output } = lint('services/router/src/domain/probe.ts', code);
    expect(output).toBe('');
    expect(exitCode).toBe(0);
  });
});
