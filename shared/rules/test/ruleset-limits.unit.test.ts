import path from 'node:path';
import {
  compileRuleset,
  readRuleFiles,
  rulesetLimits,
  type CompileResult,
  type RuleError,
} from '@triage/rules';
import { generateRuleFiles } from '../../../bench/generate-ruleset';

const rulesDir = path.resolve(__dirname, '..', '..', '..', 'rules');

type Condition = Record<string, unknown>;

const leaf = (value: unknown = ['refund'], operator = 'containsAny'): Condition => ({
  fact: 'text',
  operator,
  value,
});

const rule = (name: string, conditions: Condition) => ({
  name,
  conditions,
  event: { type: 'severity', params: { severity: 'high' } },
});

/** A severity.json with the given rules. */
function severityFile(rules: unknown[]): string {
  return JSON.stringify({ stage: 'severity', rules });
}

/** `levels` nested `all` / `not` levels around a leaf. */
function nested(levels: number): Condition {
  let condition: Condition = leaf();
  for (let level = 1; level < levels; level += 1)
    condition = level % 3 === 0 ? { not: condition } : { all: [condition] };
  return { all: [condition] };
}

function errorsOf(result: CompileResult): RuleError[] {
  if (result.ok) throw new Error('expected the ruleset to be refused');
  return result.errors;
}

describe('ruleset limits', () => {
  let base: Map<string, string>;

  beforeAll(async () => {
    base = await readRuleFiles(rulesDir);
  });

  const withSeverity = (rules: unknown[]) => new Map([...base, ['severity.json', severityFile(rules)]]);

  it('when the shipped rules and the 1,000-rule benchmark set load, then they are within every limit', () => {
    expect(compileRuleset(base).ok).toBe(true);
    expect(compileRuleset(generateRuleFiles(1000, 42, base)).ok).toBe(true);
  });

  it('when conditions nest exactly as deep as allowed, then the rule loads; one level deeper, then it is refused at that path', () => {
    expect(compileRuleset(withSeverity([rule('deep', nested(rulesetLimits.maxConditionDepth))])).ok).toBe(
      true,
    );
    const errors = errorsOf(
      compileRuleset(
        withSeverity([
          rule('fine', { any: [leaf()] }),
          rule('deep', nested(rulesetLimits.maxConditionDepth + 1)),
        ]),
      ),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({
      file: 'severity.json',
      path: expect.stringMatching(/^\/rules\/1\/conditions\/all\/0\/(all\/0\/|not\/)+/),
      message: `conditions nested deeper than ${rulesetLimits.maxConditionDepth} (all / any / not levels)`,
    });
  });

  it('when a rule file nests 100,000 levels anywhere, then it is refused with a path, not a stack overflow', () => {
    const depth = 100_000;
    const deepValue = '['.repeat(depth) + ']'.repeat(depth);
    const text = `{"stage":"severity","rules":[{"name":"x","conditions":{"all":[{"fact":"text","operator":"in","value":${deepValue}}]},"event":{"type":"severity","params":{}}}]}`;
    const deepConditions = `{"stage":"severity","rules":[{"name":"x","conditions":${'{"not":'.repeat(depth)}{"fact":"text","operator":"equal","value":1}${'}'.repeat(depth)},"event":{"type":"severity","params":{}}}]}`;
    for (const file of [text, deepConditions]) {
      const errors = errorsOf(compileRuleset(new Map([...base, ['severity.json', file]])));
      expect(errors).toEqual([
        {
          file: 'severity.json',
          path: expect.stringMatching(/^\/rules\/0\/conditions\//),
          message: expect.stringMatching(/^(nesting|conditions nested) deeper than/),
        },
      ]);
    }
  });

  it('when a stage has more rules than allowed, then the file is refused at /rules', () => {
    const rules = Array.from({ length: rulesetLimits.maxRulesPerStage + 1 }, (_, i) =>
      rule(`r-${i}`, leaf()),
    );
    expect(errorsOf(compileRuleset(withSeverity(rules)))).toEqual([
      {
        file: 'severity.json',
        path: '/rules',
        message: `more than ${rulesetLimits.maxRulesPerStage} rules in one stage`,
      },
    ]);
  });

  it('when a keyword list is longer than allowed, then its value is refused', () => {
    const keywords = Array.from({ length: rulesetLimits.maxKeywordsPerList + 1 }, (_, i) => `word${i}`);
    const ok = keywords.slice(0, rulesetLimits.maxKeywordsPerList);
    expect(compileRuleset(withSeverity([rule('many', { any: [leaf(ok)] })])).ok).toBe(true);
    expect(
      errorsOf(
        compileRuleset(
          withSeverity([rule('fine', { any: [leaf()] }), rule('too-many', { any: [leaf(keywords)] })]),
        ),
      ),
    ).toEqual([
      {
        file: 'severity.json',
        path: '/rules/1/conditions/any/0/value',
        message: `containsAny has ${keywords.length} keywords (at most ${rulesetLimits.maxKeywordsPerList} in one list)`,
      },
    ]);
  });

  it('when the ruleset has more regexes than allowed (across stages), then the first one over is named', () => {
    const regexRules = (count: number) =>
      Array.from({ length: count }, (_, i) => rule(`re-${i}`, { all: [leaf(`refund${i}`, 'matchesRegex')] }));
    const shipped = 5; // matchesRegex conditions in the other shipped files
    const room = rulesetLimits.maxRegexesPerRuleset - shipped;
    const severityRegexes = (base.get('severity.json') ?? '').split('matchesRegex').length - 1;
    expect(compileRuleset(withSeverity(regexRules(room + severityRegexes))).ok).toBe(true);
    const errors = errorsOf(compileRuleset(withSeverity(regexRules(room + severityRegexes + 1))));
    expect(errors).toEqual([
      {
        file: expect.stringMatching(/\.json$/),
        path: expect.stringMatching(/^\/rules\/\d+\/conditions\/.*value$/),
        message: `more than ${rulesetLimits.maxRegexesPerRuleset} matchesRegex patterns in the ruleset (all stages together)`,
      },
    ]);
  });

  it('when a regex is longer than allowed, then its value is refused naming the limit', () => {
    const pattern = 'a'.repeat(rulesetLimits.maxRegexLength + 1);
    expect(
      errorsOf(compileRuleset(withSeverity([rule('long', { all: [leaf(pattern, 'matchesRegex')] })]))),
    ).toEqual([
      {
        file: 'severity.json',
        path: '/rules/0/conditions/all/0/value',
        message: expect.stringContaining(`(at most ${rulesetLimits.maxRegexLength})`),
      },
    ]);
  });
});
