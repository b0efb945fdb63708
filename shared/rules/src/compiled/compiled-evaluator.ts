/**
 * The compiled form of a ruleset: every stage's json-rules-engine rules turned into condition
 * steps with json-rules-engine's semantics, plus indexes that let an evaluation skip rules
 * that cannot fire. evaluateComplaint() runs it; docs/adr/0005-compiled-rules-evaluator.md says why
 * and how the modules of compiled/ divide the work.
 *
 * **Same semantics as json-rules-engine 7** (rule.js, condition.js, almanac.js, operator*.js):
 * children of `all` / `any` are grouped by priority and evaluated a priority set at a time,
 * every condition of a set is evaluated, later sets are skipped once the result is settled; an
 * empty `all` or `any` is true; `not` negates; a boolean condition passes when its result is
 * exactly `true`, while a rule's result is the raw all/any/not result. Operators are the
 * engine's built-ins (same callbacks and fact validators: numeric ones accept whatever
 * `parseFloat` accepts, `contains` needs an array fact), its decorators (`someFact`,
 * `someValue`, `everyFact`, `everyValue`, `swap`, `not`) and our {@link customOperators};
 * `path` goes through jsonpath-plus like the engine's default path resolver (objects only);
 * `{ "fact": … }` values are resolved before the fact; an unknown fact is undefined
 * (`allowUndefinedFacts`); computed facts get the condition's `params` (`{}` when absent) and
 * are computed once per evaluation.
 *
 * **Steps.** Conditions compile to {@link Step}s of one shape, walked by one function
 * (evaluateStep()) that evaluates the common leaves — keyword lists, a stage fact against a
 * literal — inline and records each condition's trace as it goes; the rest are closures.
 *
 * **Keyword index.** Every `containsAny` / `containsAll` keyword goes into one
 * {@link KeywordIndex}; a fact's text is scanned once per evaluation and a keyword condition is
 * a count lookup.
 *
 * **Rule-candidate index.** For each rule the compiler derives necessary conditions: up to
 * eight *triggers* (one of some keywords occurs in a fact; a fact, a pure computed fact or a
 * fact's `path` equals one of some values; an array fact has one of some members), looked up
 * in per-stage maps, all of which must be present; and a *guard* (the cheap, side-effect-free
 * conditions the triggers do not already decide) checked once they are. A rule is evaluated
 * only when its triggers are present and its guard holds; rules with neither are always
 * evaluated. A skipped rule is left out of the trace and counted (`skippedRules`).
 *
 * **Lookups and errors are the engine's.** History facts query the database. A rule the index
 * skips still starts the lookups the engine would have made evaluating it: those in its first
 * priority sets, which the engine always reaches, or — when the rule is skipped because its
 * trigger is absent — those the engine reaches with the conditions behind that trigger false.
 * A rule whose lookups depend on values otherwise, or whose evaluation could throw in the
 * engine (e.g. `in` on a `{ "fact" }` value), is never skipped. Which conditions the engine
 * evaluates depends only on fact values, so a rule that needs a lookup in flight stops where
 * the engine would wait, and is evaluated again once the lookups settled (a stage with lookups
 * in flight lets them settle before evaluating): the lookups made — and
 * `relatedComplaintIds` — are the engine's.
 *
 * Everything here is immutable after compilation (shared parts of traces are frozen); the
 * state of one evaluation lives in a {@link CompiledRun}, so concurrent evaluations share
 * nothing mutable. The one exception is a pool of scratch counters a finished evaluation
 * hands, zeroed, to the next one (see {@link CompiledRun.finish}); a buffer belongs to one
 * run at a time.
 */
export { CompiledRun, type CompiledStageOutcome, type ComputedFact } from './compiled-run';
export { pureComputedFactNames, stageFactNames } from './fact-reads';
export { compiledRulesetOf, type CompiledRuleset } from './stage-compiler';
