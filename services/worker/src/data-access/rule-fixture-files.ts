import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRuleFixtureFile, type FixtureFileError, type RuleFixtureFile } from '../domain/rule-fixtures';

/**
 * Reads the rule fixtures kept beside the rule files: `<rulesDir>/tests/*.json`, in name
 * order. File names are reported relative to the rules directory (`tests/threats.json`).
 */
export async function readRuleFixtureDir(
  rulesDir: string,
): Promise<{ files: Array<{ file: string; fixtures: RuleFixtureFile }>; errors: FixtureFileError[] }> {
  const testsDir = path.join(rulesDir, 'tests');
  const names = (await readdir(testsDir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
  const files: Array<{ file: string; fixtures: RuleFixtureFile }> = [];
  const errors: FixtureFileError[] = [];
  for (const name of names) {
    const file = `tests/${name}`;
    const parsed = parseRuleFixtureFile(file, await readFile(path.join(testsDir, name), 'utf8'));
    if (parsed.ok) files.push({ file, fixtures: parsed.fixtures });
    else errors.push(...parsed.errors);
  }
  return { files, errors };
}
