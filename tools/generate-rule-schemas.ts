/**
 * Writes the JSON Schemas of the rule files (rules/schema/<name>.schema.json) from the zod
 * schemas the worker validates them with, so an editor underlines exactly what the worker
 * would reject. Run after changing shared/rules/src/ruleset-schemas.ts (or the fixture
 * format in services/worker/src/domain/rule-fixtures.ts):
 *
 *   npx tsx tools/generate-rule-schemas.ts          (write)
 *   npx tsx tools/generate-rule-schemas.ts --check  (exit 1 when a committed file is stale)
 *
 * The zod schemas stay the source of truth: the worker also checks what JSON Schema cannot
 * say (operator values, cross-file references, calendar overlaps, safe regular expressions).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  blocklistFactCatalogue,
  factCatalogue,
  knownOperators,
  qaFactCatalogue,
  ruleConditionSchema,
  rulesetFileSchemas,
  type RulesetFileName,
} from '@triage/rules';
import { z } from 'zod';
import { ruleFixtureFileSchema } from '../services/worker/src/domain/rule-fixtures';

export const ruleSchemaDir = path.resolve(__dirname, '..', 'rules', 'schema');

const titles: Record<RulesetFileName | 'rule-tests', string> = {
  'classify.json': 'triage rules: classify stage (what the complaint is about)',
  'severity.json': 'triage rules: severity stage (low < medium < high < critical, priority boosts)',
  'sla.json': 'triage rules: SLA stage (which SLA policy and business calendar)',
  'route.json': 'triage rules: route stage (which agent queue and skills)',
  'sla-policies.json': 'triage SLA policies (first response and resolution per severity × tier)',
  'calendars.json': 'triage business calendars (opening windows, holidays, time zones)',
  'queues.json': 'triage agent queues (skills, calendar, escalation ladder)',
  'resolution-codes.json': 'triage resolution codes (how an agent may close a case)',
  'complaint-rates.json': 'triage complaint-rate monitoring (spike thresholds, alert webhook)',
  'blocklist.json': 'triage rules: blocklist stage (automatic blocklisting after triage, with a reviewer)',
  'qa-sampling.json': 'triage QA sampling plan (random share per agent and week, targeted kinds)',
  'qa.json': 'triage auto-QA rules: qa stage (scorecard criteria scored when a ticket closes)',
  'qa-scorecards.json':
    'triage QA scorecards (criteria, weights, fatal criteria, which tickets use which card)',
  'rule-tests': 'triage rule fixtures (rules/tests/*.json): complaints and the decisions they must get',
};

/**
 * Editor help JSON Schema cannot derive from zod: the fact and operator names a condition
 * may use, offered as completions (`examples`), without rejecting anything the worker
 * would accept (it reports unknown facts and operators itself, with the file and path).
 */
function addConditionHints(node: unknown, facts: readonly string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item) => addConditionHints(item, facts));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties?.fact && properties.operator && properties.value !== undefined) {
    properties.fact = {
      ...properties.fact,
      description: 'A fact (rules/README.md lists them all).',
      examples: facts,
    };
    properties.operator = {
      ...properties.operator,
      description:
        'A json-rules-engine operator or one of triage\'s own; may be decorated, e.g. "not:containsAny".',
      examples: [...knownOperators],
    };
  }
  Object.values(schema).forEach((value) => addConditionHints(value, facts));
}

/** Named definitions, so a recursive condition is `#/$defs/ruleCondition`, not `__schema0`. */
const definitions = z.registry<{ id: string }>();
definitions.add(ruleConditionSchema, { id: 'ruleCondition' });

function jsonSchemaOf(
  schema: z.ZodType,
  title: string,
  facts: readonly string[] = Object.keys(factCatalogue),
): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    metadata: definitions,
  }) as Record<string, unknown>;
  addConditionHints(generated, facts);
  const { $schema, ...rest } = generated;
  return { $schema, title, ...rest };
}

/** Every generated schema file: its name in rules/schema and its zod source. */
function ruleSchemaSources(): Array<{ file: string; schema: z.ZodType; title: string }> {
  const ruleFiles = (Object.keys(rulesetFileSchemas) as RulesetFileName[]).map((name) => ({
    file: name.replace(/\.json$/, '.schema.json'),
    schema: rulesetFileSchemas[name] as z.ZodType,
    title: titles[name],
  }));
  return [
    ...ruleFiles,
    { file: 'rule-tests.schema.json', schema: ruleFixtureFileSchema, title: titles['rule-tests'] },
  ];
}

/** The stages with facts of their own: the QA stage's, the blocklist stage's window counts. */
const factHints: Record<string, readonly string[] | undefined> = {
  'qa.schema.json': Object.keys(qaFactCatalogue),
  'blocklist.schema.json': Object.keys(blocklistFactCatalogue),
};

/** The schema documents (file name in rules/schema → JSON Schema), from the zod schemas as they are now. */
export function ruleSchemaDocuments(): Map<string, Record<string, unknown>> {
  return new Map(
    ruleSchemaSources().map(({ file, schema, title }) => [
      file,
      jsonSchemaOf(schema, title, factHints[file]),
    ]),
  );
}

/** The schema files' texts (file name → text), formatted as `prettier --check` expects. */
export async function renderRuleSchemas(): Promise<Map<string, string>> {
  // Loaded here, not at the top: prettier 3 imports its plugins dynamically, which jest's
  // module loader refuses, and the drift test only needs ruleSchemaDocuments().
  const { format, resolveConfig } = await import('prettier');
  const rendered = new Map<string, string>();
  for (const [file, document] of ruleSchemaDocuments()) {
    const target = path.join(ruleSchemaDir, file);
    const options = (await resolveConfig(target)) ?? {};
    rendered.set(file, await format(JSON.stringify(document), { ...options, filepath: target }));
  }
  return rendered;
}

function readCommitted(file: string): string {
  try {
    return readFileSync(path.join(ruleSchemaDir, file), 'utf8');
  } catch {
    return ''; // a missing file is stale too
  }
}

async function main(): Promise<void> {
  const rendered = await renderRuleSchemas();
  if (process.argv.includes('--check')) {
    const stale = [...rendered].filter(([file, text]) => readCommitted(file) !== text).map(([file]) => file);
    if (stale.length > 0) {
      console.error(
        `stale in rules/schema: ${stale.join(', ')} — run npx tsx tools/generate-rule-schemas.ts`,
      );
      process.exit(1);
    }
    console.log(`rules/schema is up to date (${rendered.size} files)`);
    return;
  }
  for (const [file, text] of rendered) writeFileSync(path.join(ruleSchemaDir, file), text);
  console.log(`wrote ${[...rendered.keys()].map((file) => `rules/schema/${file}`).join(', ')}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
