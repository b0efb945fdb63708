/**
 * The admin's rule tools on the command line (the same checks the worker's admin API runs):
 *
 *   npm run rules -- validate [--dir rules]
 *   npm run rules -- test     [--dir rules] [--case <text>] [--verbose]
 *   npm run rules -- replay   --mongo <url> [--dir <candidate>] [--base rules] [--limit 200] [--examples 20] [--json]
 *   npm run rules -- qa-replay --mongo <url> [--dir <candidate>] [--base rules] [--limit 200] [--examples 20] [--json]
 *
 * Exit codes: 0 fine, 1 rule errors / failing fixtures, 2 bad usage.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRuleset, type CompileResult, type RuleError } from '@triage/rules';
import { createLogger } from '@triage/shared/kernel';
import { connectMongo } from '@triage/shared/infra';
import { readRuleFixtureDir } from '../services/worker/src/data-access/rule-fixture-files';
import { TriageRepository } from '../services/worker/src/data-access/triage-repository';
import { qaReplayTicketOf, replayQa, type QaReplayReport } from '../services/worker/src/domain/replay-qa';
import { replayLimits, replayRules, type ReplayReport } from '../services/worker/src/domain/replay-rules';
import {
  rulesNeverFired,
  runRuleFixtures,
  selectFixtureCases,
} from '../services/worker/src/domain/rule-fixtures';

const usage = `Usage: npm run rules -- <command> [options]

  validate [--dir rules]
      Checks every rule file (schema, facts, operators, cross-file references).
      Prints each error as "<dir>/<file> <JSON path>: <message>" and exits 1 if there is one.

  test [--dir rules] [--case <text>] [--verbose]
      Runs the table-driven fixtures in <dir>/tests/*.json against the rules in <dir>.
      Prints pass/fail per case and exits 1 if a case fails.

  replay --mongo <url> [--dir <candidate dir>] [--base rules] [--limit ${replayLimits.defaultLimit}] [--examples ${replayLimits.defaultExamples}] [--json]
      Evaluates the rules in --base and in --dir over the newest stored complaints (read-only)
      and counts what would change: category, severity, queue, deadlines, tags, fired rules.

  qa-replay --mongo <url> [--dir <candidate dir>] [--base rules] [--limit ${replayLimits.defaultLimit}] [--examples ${replayLimits.defaultExamples}] [--json]
      Scores the most recently closed tickets with the QA rules and scorecards in --base and in
      --dir (read-only) and counts what would change: score, fatal, scorecard, tags, criteria.
`;

class UsageError extends Error {}

function label(dir: string): string {
  return path.relative(process.cwd(), dir) || '.';
}

function printRuleErrors(dir: string, errors: readonly RuleError[]): void {
  for (const error of errors) console.error(`${label(dir)}/${error.file} ${error.path}: ${error.message}`);
}

async function compiled(dir: string): Promise<CompileResult> {
  return loadRuleset(dir).catch((error: unknown) => ({
    ok: false as const,
    errors: [{ file: '.', path: '/', message: `cannot read ${dir}: ${(error as Error).message}` }],
  }));
}

async function validate(dir: string): Promise<number> {
  const result = await compiled(dir);
  if (!result.ok) {
    printRuleErrors(dir, result.errors);
    console.error(`\n${result.errors.length} error(s) in ${label(dir)}/ — nothing would be loaded.`);
    return 1;
  }
  console.log(
    `ok: ${label(dir)}/ is valid — version ${result.ruleset.version}, files ${result.ruleset.files.join(', ')}`,
  );
  return 0;
}

async function test(dir: string, filter: string | undefined, verbose: boolean): Promise<number> {
  const result = await compiled(dir);
  if (!result.ok) {
    printRuleErrors(dir, result.errors);
    console.error('\nThe rules do not compile; fix them before running the fixtures.');
    return 1;
  }
  const { files, errors } = await readRuleFixtureDir(dir);
  printRuleErrors(dir, errors);
  const selected = files
    .map(({ file, fixtures }) => ({
      file,
      fixtures: selectFixtureCases(fixtures, (name) => !filter || name.includes(filter)),
    }))
    .filter(({ fixtures }) => fixtures.cases.length > 0);
  const results = await runRuleFixtures(result.ruleset, selected);

  let currentFile = '';
  for (const outcome of results) {
    if (outcome.file !== currentFile) {
      currentFile = outcome.file;
      console.log(`\n${label(dir)}/${outcome.file}`);
    }
    const summary =
      outcome.stage === 'qa'
        ? `qa ${outcome.qa.scorecard} · score ${String(outcome.qa.score)}${outcome.qa.fatal ? ' · fatal' : ''}`
        : `${outcome.evaluation.decision.category} · ${outcome.evaluation.decision.severity} · ${outcome.evaluation.decision.queue} · ${outcome.evaluation.decision.slaPolicy}`;
    console.log(
      `  ${outcome.passed ? '✓' : '✗'} ${outcome.name}${verbose || !outcome.passed ? `  [${summary}]` : ''}`,
    );
    for (const failure of outcome.failures) console.log(`      ${failure}`);
  }
  const failed = results.filter((outcome) => !outcome.passed).length;
  console.log(`\n${results.length - failed} passed, ${failed} failed (${results.length} cases)`);
  if (!filter) {
    const untested = rulesNeverFired(result.ruleset, results);
    if (untested.length > 0) console.log(`rules no case makes fire: ${untested.join(', ')}`);
  }
  return failed > 0 || errors.length > 0 ? 1 : 0;
}

function printReplay(report: ReplayReport & { limit: number }): void {
  console.log(
    `replayed ${report.compared} of the newest ${report.limit} complaints: current ${report.currentVersion} → candidate ${report.candidateVersion}`,
  );
  const { any, ...fields } = report.changed;
  const changedFields = Object.entries(fields).filter(([, count]) => count > 0);
  console.log(
    `changed: ${any}${changedFields.length ? ` (${changedFields.map(([field, count]) => `${field} ${count}`).join(', ')})` : ''}`,
  );
  for (const [field, transitions] of Object.entries(report.transitions)) {
    for (const [transition, count] of Object.entries(transitions))
      console.log(`  ${field}: ${transition}  ×${count}`);
  }
  if (report.storedDecisionsDiffer > 0) {
    console.log(
      `stored decisions that differ from the current rules already: ${report.storedDecisionsDiffer}`,
    );
  }
  for (const failure of report.failures)
    console.log(`  could not evaluate ${failure.complaintId}: ${failure.message}`);
  if (report.examples.length > 0) console.log('\nexamples:');
  for (const example of report.examples) {
    console.log(`  ${example.complaintId}  ${example.excerpt}`);
    for (const [field, change] of Object.entries(example.changes)) {
      console.log(`      ${field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`);
    }
  }
}

function printQaReplay(report: QaReplayReport & { limit: number }): void {
  console.log(
    `QA-replayed ${report.compared} of the latest ${report.limit} closed tickets: current ${report.currentVersion} → candidate ${report.candidateVersion}`,
  );
  const { any, ...fields } = report.changed;
  const changedFields = Object.entries(fields).filter(([, count]) => count > 0);
  console.log(
    `changed: ${any}${changedFields.length ? ` (${changedFields.map(([field, count]) => `${field} ${count}`).join(', ')})` : ''}`,
  );
  console.log(`mean score: ${String(report.meanScore.current)} → ${String(report.meanScore.candidate)}`);
  for (const [transition, count] of Object.entries(report.fatalTransitions))
    console.log(`  ${transition}  ×${count}`);
  if (report.storedScoresDiffer > 0)
    console.log(`stored scores that differ from the current rules already: ${report.storedScoresDiffer}`);
  for (const failure of report.failures)
    console.log(`  could not score ${failure.complaintId}: ${failure.message}`);
  if (report.examples.length > 0) console.log('\nexamples:');
  for (const example of report.examples) {
    console.log(
      `  ${example.complaintId}  ${String(example.from.score)} → ${String(example.to.score)}  ${example.excerpt}`,
    );
    for (const [criterion, change] of Object.entries(example.criteria))
      console.log(`      ${criterion}: ${change}`);
  }
}

async function replay(options: {
  mongo: string | undefined;
  base: string;
  candidate: string;
  limit: number;
  examples: number;
  json: boolean;
  /** Replay the QA stage over closed tickets instead of triage over complaints. */
  qa: boolean;
}): Promise<number> {
  if (!options.mongo) throw new UsageError(`${options.qa ? 'qa-replay' : 'replay'} needs --mongo <url>`);
  databaseNameOf(options.mongo);
  const [current, candidate] = await Promise.all([compiled(options.base), compiled(options.candidate)]);
  for (const [dir, result] of [
    [options.base, current],
    [options.candidate, candidate],
  ] as const) {
    if (!result.ok) {
      printRuleErrors(dir, result.errors);
      console.error(`\nThe rules in ${label(dir)}/ do not compile.`);
      return 1;
    }
  }
  if (!current.ok || !candidate.ok) return 1;
  const connection = await connectMongo(options.mongo, createLogger('rules-cli', 'error'));
  try {
    const repository = new TriageRepository(connection);
    if (options.qa) {
      const closed = await repository.latestClosed(options.limit);
      const report = await replayQa({
        current: current.ruleset,
        candidate: candidate.ruleset,
        tickets: closed.map(qaReplayTicketOf),
        factSourcesAsOf: (at) => repository.factSourcesAsOf(at),
        examples: options.examples,
      });
      if (options.json) console.log(JSON.stringify({ limit: options.limit, ...report }, null, 2));
      else printQaReplay({ limit: options.limit, ...report });
      return 0;
    }
    const complaints = await repository.latestComplaints(options.limit);
    const report = await replayRules({
      current: current.ruleset,
      candidate: candidate.ruleset,
      complaints,
      factSourcesAsOf: (at) => repository.factSourcesAsOf(at),
      examples: options.examples,
    });
    if (options.json) console.log(JSON.stringify({ limit: options.limit, ...report }, null, 2));
    else printReplay({ limit: options.limit, ...report });
    return 0;
  } finally {
    await connection.close();
  }
}

/** The database a replay reads; a URL without one would silently read an empty `test` database. */
function databaseNameOf(mongoUrl: string): string {
  let name: string;
  try {
    name = decodeURIComponent(new URL(mongoUrl).pathname.replace(/^\//, ''));
  } catch {
    throw new UsageError(`--mongo ${mongoUrl} is not a MongoDB URL`);
  }
  if (!name) {
    throw new UsageError(
      `--mongo ${mongoUrl} names no database: add it, e.g. ${mongoUrl.replace(/\/?$/, '/triage')} (npm start prints the full URL).`,
    );
  }
  return name;
}

function boundedInteger(
  raw: string | undefined,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      base: { type: 'string', default: 'rules' },
      mongo: { type: 'string' },
      limit: { type: 'string' },
      examples: { type: 'string' },
      case: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const dir = path.resolve(values.dir ?? 'rules');
  switch (command) {
    case 'validate':
      return validate(dir);
    case 'test':
      return test(dir, values.case, values.verbose);
    case 'replay':
    case 'qa-replay':
      return replay({
        qa: command === 'qa-replay',
        mongo: values.mongo,
        base: path.resolve(values.base),
        candidate: dir,
        limit: boundedInteger(values.limit, 'limit', replayLimits.defaultLimit, {
          min: 1,
          max: replayLimits.maxLimit,
        }),
        examples: boundedInteger(values.examples, 'examples', replayLimits.defaultExamples, {
          min: 0,
          max: replayLimits.maxExamples,
        }),
        json: values.json,
      });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${usage}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
