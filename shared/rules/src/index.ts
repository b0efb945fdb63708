/**
 * @triage/rules — the rules engine's only public door: rule files and their schemas, the
 * operator catalogue, the facts, business calendars and the evaluator that turns a complaint
 * into a triage decision. Depends on json-rules-engine, jsonpath-plus, luxon and zod only.
 */
export * from './triage-decision';
export * from './customer-tiers';
export * from './business-calendar';
export {
  baseOperatorOf,
  knownOperators,
  validateOperatorValue,
  type Evaluator,
} from './operators/operator-catalogue';
export {
  customOperators,
  customOperatorsAt,
  registerOperators,
  type CustomOperator,
  type OperatorTest,
} from './operators/custom-operators';
export { compileKeywordMatcher, nfkcLowerCase, type KeywordMatcher } from './operators/keyword-matcher';
export { checkRegexSafety, maxRegexPatternLength } from './operators/regex-safety';
export { regexInputCap, type RegexOperatorValue } from './operators/safe-regex';
export * from './facts';
export * from './ruleset-schemas';
export * from './complaint-rates-schema';
export * from './qa-sampling-schema';
export { rulesetLimits, type RulesetLimits } from './ruleset-limits';
export * from './load-ruleset';
export * from './blocklist-stage';
export {
  evaluateComplaint,
  precompileRuleset,
  priorityScore,
  selectSlaPolicy,
  type Evaluation,
} from './evaluate-complaint';
export * from './qa/qa-facts';
export * from './qa/qa-score';
export { evaluateQa, type QaEvaluation } from './qa/evaluate-qa';
