import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compileRuleset,
  formatRuleError,
  rulesetFileNames,
  rulesetFileSchemas,
  stageNames,
  type RulesetFileName,
} from '@triage/rules';
import {
  parseRuleFixtureFile,
  rulesNeverFired,
  runRuleFixtures,
  selectFixtureCases,
} from '../src/domain/rule-fixtures';
import {
  compileShippedRules as compileShipped,
  shippedRuleFiles as shippedFiles,
  shippedRulesDir as rulesDir,
} from './support/shipped-rules';

describe('the shipped rule files in rules/', () => {
  it.each(rulesetFileNames)('when rules/%s is parsed on its own, then it matches its schema', (name) => {
    const json = JSON.parse(readFileSync(path.join(rulesDir, name), 'utf8')) as unknown;
    const result = rulesetFileSchemas[name as RulesetFileName].safeParse(json);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('when all files are compiled together, then there is no error and every stage has rules', () => {
    const ruleset = compileShipped();
    expect(ruleset.files).toEqual([...rulesetFileNames].sort());
    for (const stage of stageNames) expect(ruleset.stages[stage].rules.length).toBeGreaterThan(0);
    expect(ruleset.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('when a rule names an unknown operator, then the error names the file and the JSON path', () => {
    const files = shippedFiles();
    const severity = JSON.parse(files.get('severity.json') ?? '{}') as {
      rules: Array<{ conditions: unknown }>;
    };
    severity.rules[3] = {
      ...severity.rules[3],
      conditions: { all: [{ fact: 'text', operator: 'containz', value: ['lawsuit'] }] },
    };
    files.set('severity.json', JSON.stringify(severity));
    const result = compileRuleset(files);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map(formatRuleError)).toEqual([
      'rules/severity.json /rules/3/conditions/all/0/operator: unknown operator "containz"',
    ]);
  });
});

describe('the rule fixtures in rules/tests/', () => {
  const testsDir = path.join(rulesDir, 'tests');
  const fixtureFiles = readdirSync(testsDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      name,
      parsed: parseRuleFixtureFile(`tests/${name}`, readFileSync(path.join(testsDir, name), 'utf8')),
    }));
  const parsedFiles = fixtureFiles.flatMap(({ name, parsed }) =>
    parsed.ok ? [{ file: `tests/${name}`, fixtures: parsed.fixtures }] : [],
  );
  const ruleset = compileShipped();

  it.each(fixtureFiles.map(({ name, parsed }) => [name, parsed] as const))(
    'when rules/tests/%s is read, then it is a valid fixture file',
    (_name, parsed) => {
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    },
  );

  it.each(
    parsedFiles.flatMap(({ file, fixtures }) =>
      fixtures.cases.map((fixture) => [file, fixture.name, fixtures] as const),
    ),
  )('when %s › "%s" is evaluated, then it gets the expected decision', async (file, name, fixtures) => {
    const [result] = await runRuleFixtures(ruleset, [
      { file, fixtures: selectFixtureCases(fixtures, (caseName) => caseName === name) },
    ]);
    expect(result?.failures).toEqual([]);
  });

  it('when every fixture has run, then every shipped rule has fired in at least one case', async () => {
    expect(parsedFiles.length).toBeGreaterThanOrEqual(5);
    const results = await runRuleFixtures(ruleset, parsedFiles);
    expect(rulesNeverFired(ruleset, results)).toEqual([]);
  });
});
