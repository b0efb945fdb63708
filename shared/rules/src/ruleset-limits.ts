/**
 * How large a ruleset may be. The loader (rules/ and every candidate posted to the worker's
 * validate, dry-run and replay) refuses a ruleset beyond any of these with an error naming the
 * file and JSON path, so the cost of compiling and evaluating one stays bounded. Each value sits
 * well above what the shipped rules/ and the 1,000-rule benchmark set need (nesting 3, 450 rules
 * in one stage, 27 keywords in one list, 5 regexes of at most 88 characters).
 * rules/README.md ("Limits") explains each one.
 */
export const rulesetLimits = {
  /** Nesting of `all` / `any` / `not` in one rule's conditions (the top level is 1). */
  maxConditionDepth: 32,
  /** Rules in one stage file. */
  maxRulesPerStage: 2_000,
  /** Keywords in one `containsAny` / `containsAll` list. */
  maxKeywordsPerList: 500,
  /** `matchesRegex` conditions (patterns) in the whole ruleset, all stages together. */
  maxRegexesPerRuleset: 200,
  /** Length of one `matchesRegex` pattern, in UTF-16 code units. */
  maxRegexLength: 500,
  /** Nesting of arrays and objects anywhere in a rule file (a condition's value included). */
  maxJsonDepth: 100,
} as const;

export type RulesetLimits = typeof rulesetLimits;

/**
 * The JSON pointer of the first array or object nested deeper than `maxDepth` in `value` (the
 * value itself is depth 1), or undefined. Iterative, so no input can overflow the stack.
 */
export function firstTooDeep(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value, pointer: '', depth: 1 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; pointer: string; depth: number };
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > maxDepth) return item.pointer === '' ? '/' : item.pointer;
    for (const [key, child] of Object.entries(item.value)) {
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, pointer: `${item.pointer}/${escapePointer(key)}`, depth: item.depth + 1 });
      }
    }
  }
  return undefined;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON pointer (below `pointer`) of the first `all` / `any` / `not` nested deeper than
 * {@link rulesetLimits.maxConditionDepth} (a rule's `conditions` is level 1), or undefined. Reads raw JSON before the schema does,
 * so the schema's recursion only ever meets bounded depth.
 */
export function firstTooDeepCondition(conditions: unknown, pointer: string): string | undefined {
  const stack: Array<{ node: unknown; pointer: string; depth: number }> = [
    { node: conditions, pointer, depth: 1 },
  ];
  while (stack.length > 0) {
    const item = stack.pop() as { node: unknown; pointer: string; depth: number };
    if (typeof item.node !== 'object' || item.node === null || Array.isArray(item.node)) continue;
    const node = item.node as Record<string, unknown>;
    const isGroup = Array.isArray(node.all) || Array.isArray(node.any) || node.not !== undefined;
    if (isGroup && item.depth > rulesetLimits.maxConditionDepth) return item.pointer;
    for (const key of ['all', 'any'] as const) {
      const children = node[key];
      if (!Array.isArray(children)) continue;
      children.forEach((child, index) =>
        stack.push({ node: child, pointer: `${item.pointer}/${key}/${index}`, depth: item.depth + 1 }),
      );
    }
    if (node.not !== undefined)
      stack.push({ node: node.not, pointer: `${item.pointer}/not`, depth: item.depth + 1 });
  }
  return undefined;
}
