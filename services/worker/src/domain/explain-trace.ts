import { compileKeywordMatcher, stageNames, type RuleTrace, type Ruleset } from '@triage/rules';

/** Longest fact value kept verbatim in a stored trace; longer text is cut to an excerpt. */
export const traceExcerptLength = 200;

const keywordOperators = new Set(['containsAny', 'containsAll']);

function baseOperator(operator: unknown): string {
  return typeof operator === 'string' ? (operator.split(':').pop() ?? '') : '';
}

function isKeywordList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function explainLeaf(leaf: Record<string, unknown>): Record<string, unknown> {
  const { factResult, valueResult, ...rest } = leaf;
  const explained: Record<string, unknown> = { ...rest };
  // json-rules-engine repeats the value as valueResult; keep it only when it differs (a fact reference).
  if (valueResult !== undefined && !sameJson(valueResult, leaf.value)) explained.valueResult = valueResult;
  if (
    keywordOperators.has(baseOperator(leaf.operator)) &&
    typeof factResult === 'string' &&
    isKeywordList(leaf.value)
  ) {
    explained.matched = compileKeywordMatcher(leaf.value).matches(factResult);
  }
  if (typeof factResult === 'string' && factResult.length > traceExcerptLength) {
    explained.factResult = `${factResult.slice(0, traceExcerptLength)}…`;
    explained.factLength = factResult.length;
  } else if (factResult !== undefined) {
    explained.factResult = factResult;
  }
  // Keep the familiar key order: what was asked, what was seen, the verdict.
  if ('result' in explained) {
    const { result, ...others } = explained;
    return { ...others, result };
  }
  return explained;
}

function explainCondition(condition: unknown): unknown {
  if (Array.isArray(condition)) return condition.map(explainCondition);
  if (typeof condition !== 'object' || condition === null) return condition;
  const node = condition as Record<string, unknown>;
  if (typeof node.fact === 'string' && 'operator' in node) return explainLeaf(node);
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === 'all' || key === 'any' || key === 'not' ? explainCondition(value) : value,
    ]),
  );
}

/**
 * The condition trace as stored with a decision and shown by dry runs: per condition the
 * fact, operator, value, the fact's value at evaluation time and pass/fail, plus, for
 * keyword conditions, the keywords that matched ("why did this fire?"). Long text facts
 * are cut to an excerpt (the complaint holds the full text), so a trace stays a few KB
 * instead of repeating the narrative once per condition.
 */
export function explainTrace(trace: readonly RuleTrace[]): RuleTrace[] {
  return trace.map((rule) => ({ ...rule, conditions: explainCondition(rule.conditions) }));
}

/**
 * The rules of a ruleset that are not in a trace, as `stage/rule`: those the evaluator's index
 * proved could not fire for the complaint (none of the keywords, values or conditions they
 * require is present), so they were not evaluated. Shown by dry runs, not stored.
 */
export function skippedRuleNames(ruleset: Ruleset, trace: readonly RuleTrace[]): string[] {
  const evaluated = new Set(trace.map((rule) => `${rule.stage}/${rule.rule}`));
  return stageNames.flatMap((stage) =>
    ruleset.stages[stage].rules.map((rule) => `${stage}/${rule.name}`).filter((name) => !evaluated.has(name)),
  );
}
