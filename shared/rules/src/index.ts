/**
 * @triage/rules — the rules engine's only public door: rule files and their schemas, the
 * operator catalogue, the facts, business calendars and the evaluator that turns a complaint
 * into a triage decision. Depends on json-rules-engine, jsonpath-plus, luxon and zod only.
 */
export * from './triage-decision';
export * from './customer-tiers';
export * from './business-calendar';
export * from './operators';
export * from './facts';
export * from './ruleset-schemas';
export * from './load-ruleset';
export {
  evaluateComplaint,
  precompileRuleset,
  priorityScore,
  selectSlaPolicy,
  type Evaluation,
} from './evaluate-complaint';
