/**
 * The table tools/api-fuzz.sh prints: one row per service × role, from schemathesis' JSON run
 * reports (`<service>-<role>.json` in the report folder). Exits 1 when any row has a failure
 * or a schemathesis error.
 *
 *   tsx tools/api-fuzz-summary.ts <report dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface RunReport {
  schemathesis_version: string;
  operations: { tested: number; selected: number };
  test_cases: { generated: number };
  failures: Array<{ type: string; code: string; title: string; count: number; operations: string[] }>;
  errors: Array<{ title: string; count: number }>;
}

/** Which of our three figures a schemathesis failure class counts towards. */
const figureOf: Record<string, 'serverErrors' | 'schemaMismatches' | 'undocumentedStatuses'> = {
  ServerError: 'serverErrors',
  ContentTypeServerError: 'serverErrors',
  JsonSchemaError: 'schemaMismatches',
  MalformedJson: 'schemaMismatches',
  ContentDeserializationError: 'schemaMismatches',
  UndefinedStatusCode: 'undocumentedStatuses',
};

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: api-fuzz-summary <report dir>');
  const rows = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const report = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as RunReport;
      const figures = { serverErrors: 0, schemaMismatches: 0, undocumentedStatuses: 0, other: 0 };
      for (const failure of report.failures) figures[figureOf[failure.type] ?? 'other'] += failure.count;
      return {
        run: path.basename(name, '.json'),
        operations: `${report.operations.tested}/${report.operations.selected}`,
        cases: report.test_cases.generated,
        ...figures,
        errors: report.errors.reduce((sum, error) => sum + error.count, 0),
        details: [
          ...report.failures.map((f) => `${f.code} ${f.title} (${f.count}): ${f.operations.join(', ')}`),
          ...report.errors.map((e) => `error: ${e.title} (${e.count})`),
        ],
      };
    });
  const header =
    '| service-role | operations | cases | 5xx | schema mismatches | undocumented statuses | other failures | errors |';
  const lines = [header, header.replace(/[^|]/g, '-')];
  for (const row of rows) {
    lines.push(
      `| ${row.run} | ${row.operations} | ${row.cases} | ${row.serverErrors} | ${row.schemaMismatches} | ${row.undocumentedStatuses} | ${row.other} | ${row.errors} |`,
    );
  }
  const details = rows.flatMap((row) => row.details.map((detail) => `- ${row.run}: ${detail}`));
  process.stdout.write(`${lines.join('\n')}\n${details.length ? `\n${details.join('\n')}\n` : ''}`);
  const failed = rows.some(
    (row) => row.serverErrors + row.schemaMismatches + row.undocumentedStatuses + row.other + row.errors > 0,
  );
  process.exit(failed ? 1 : 0);
}

main();
