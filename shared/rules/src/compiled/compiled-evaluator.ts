/**
 * The compiled form of a ruleset: every stage's json-rules-engine rules turned into condition
 * steps with json-rules-engine 7's semantics, plus a keyword index and a rule-candidate index
 * (triggers and guards) that let an evaluation skip rules that cannot fire, making the lookups
 * the engine would make. evaluateComplaint() runs it. Immutable after compilation; one
 * evaluation's state lives in a {@link CompiledRun}. Why, the semantics kept, and how the
 * modules of compiled/ divide the work: docs/adr/0005-compiled-rules-evaluator.md.
 */
export { CompiledRun, type CompiledStageOutcome, type ComputedFact } from './compiled-run';
export { pureComputedFactNames, stageFactNames } from './fact-reads';
export { compiledRulesetOf, type CompiledRuleset } from './stage-compiler';
