import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileRuleset, formatRuleError, type Ruleset } from '@triage/rules';

export const shippedRulesDir = path.resolve(__dirname, '..', '..', '..', '..', 'rules');

/** The top-level rule files of rules/ (name → text), read synchronously for test tables. */
export function shippedRuleFiles(): Map<string, string> {
  return new Map(
    readdirSync(shippedRulesDir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, readFileSync(path.join(shippedRulesDir, name), 'utf8')]),
  );
}

export function compileShippedRules(files = shippedRuleFiles()): Ruleset {
  const result = compileRuleset(files);
  if (!result.ok) throw new Error(result.errors.map(formatRuleError).join('\n'));
  return result.ruleset;
}
