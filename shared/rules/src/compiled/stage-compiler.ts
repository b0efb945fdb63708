/**
 * Compiles a ruleset's stages: each rule's steps, triggers and guard, the per-stage trigger
 * maps and the keyword index; {@link compiledRulesetOf} builds it once per Ruleset.
 */
import { KeywordIndex, KeywordIndexBuilder } from '../keyword-index';
import type { Ruleset } from '../load-ruleset';
import { type StageName, stageNames } from '../ruleset-schemas';
import type { Scratch } from './compiled-run';
import { compileCondition, type CompileContext } from './condition-compiler';
import type { Guard, Step } from './condition-steps';
import { copyJson, deepFreeze } from './json-values';
import {
  chooseTriggers,
  type ComputedRead,
  type FactRead,
  maxTriggers,
  type Touch,
  type Trigger,
} from './triggers';

export interface CompiledRule {
  name: string;
  priority: number;
  /** How many condition nodes it has (the size of its {@link RuleState}). */
  nodeCount: number;
  /** Its conditions: the rule's result is their raw all/any/not result, as rule.evaluate() reports it. */
  step: Step;
  /** Where its conditions' trace is recorded in the {@link RuleState}, and their template. */
  topNode: number;
  template: unknown;
  /** Its event params, deep-frozen: every decision it fires in shares them (never copied). */
  params: Record<string, unknown>;
  /** Evaluated for every complaint: no trigger or guard, a value-dependent lookup, or may throw. */
  always: boolean;
  /** Triggers that must all have a key present before the rule is considered (at most 8). */
  triggers: Trigger[];
  /**
   * Or, for a rule true exactly when every trigger of one alternative is present: the trigger
   * bits of each alternative (the rule then has no guard).
   */
  alternatives: number[] | null;
  /**
   * Checked before the rule is evaluated (for every complaint when it has no trigger); without
   * the conditions its triggers already decide.
   */
  guard: Guard | null;
  /** The lookups to start when the rule is skipped. */
  touches: Touch[];
  /** The computed facts its touches read (see {@link CompiledRun.knowsAll}). */
  touchReads: readonly ComputedRead[];
}

export interface CompiledStage {
  /** The rules in the order the engine reports them: priority, then file order. */
  rules: CompiledRule[];
  /** Positions (in `rules`) of rules evaluated for every complaint. */
  always: number[];
  /** Positions of rules evaluated when their guard holds. */
  guarded: number[];
  /** The guard of each rule, by position. */
  guards: (Guard | null)[];
  /** Positions of skippable rules that make lookups (made even when skipped). */
  touching: number[];
  /** Every computed fact the touching rules read, and whether they may be skipped once all are known. */
  touchReads: readonly ComputedRead[];
  touchesSkippable: boolean;
  /** The trigger mark each rule needs (a bit per trigger), by position; 0 without triggers. */
  needed: Uint16Array;
  /** The bits of each rule's mark that read triggers give. */
  readBits: Uint16Array;
  /** The alternatives of each rule indexed by them (see {@link CompiledRule.alternatives}). */
  alternatives: (readonly number[] | null)[];
  /**
   * Per fact: the rules each keyword pattern, value or array member triggers, as
   * `position * 16 + trigger bit`.
   */
  keywordTriggers: FactTriggers<number>[];
  equalTriggers: FactTriggers<unknown>[];
  memberTriggers: FactTriggers<unknown>[];
  readTriggers: ReadTriggers[];
}

/** The rules triggered by the values of one read; all of them when it cannot be read. */
interface ReadTriggers {
  read: FactRead;
  positions: Map<unknown, number[]>;
  all: number[];
}

interface FactTriggers<K> {
  fact: string;
  positions: Map<K, number[]>;
}

/** A ruleset compiled for evaluation. Immutable; see {@link compiledRulesetOf}. */
export interface CompiledRuleset {
  stages: { [K in StageName]: CompiledStage };
  /** How many rules it has, in all stages. */
  ruleCount: number;
  keywords: KeywordIndex;
  /** The number of rules of the largest stage. */
  largestStage: number;
  /** The number of condition nodes of the largest rule. */
  largestRule: number;
  /** How many keyword conditions the ruleset has, and which keyword patterns each one lists. */
  keywordLeaves: number;
  /**
   * The one mutable part: large scratch buffers no run is using (see {@link CompiledRun.finish}).
   * A run takes one or allocates its own, so concurrent evaluations never share one.
   */
  scratchPool: Scratch[];
  patternLeaves: Map<string, Map<number, number[]>>;
  /**
   * Whether keyword conditions read `text` and `subject` or `body` (which `text` joins), so
   * that one scan of `text` serves the three.
   */
  scansJoined: boolean;
  /** Per stage: rules always evaluated, rules behind a guard, rules behind an index trigger. */
  summary: { [K in StageName]: { always: number; guarded: number; indexed: number } };
}

function compileRule(
  stage: StageName,
  rule: { name: string; priority?: number; conditions: unknown; event: { params?: unknown } },
  context: CompileContext,
): CompiledRule {
  context.nodeCount = 0;
  const top = compileCondition(rule.conditions, context);
  const params = deepFreeze(copyJson((rule.event.params ?? {}) as Record<string, unknown>));
  let triggers = chooseTriggers(top.triggers);
  let guard = top.guardBeside(new Set(triggers));
  let touches = top.touches;
  let alternatives: number[] | null = null;
  const best = triggers[0];
  const exactAlternatives = top.alternatives;
  if (
    touches !== null &&
    exactAlternatives !== null &&
    exactAlternatives.length > 1 &&
    exactAlternatives.every((alternative) => alternative.length > 0)
  ) {
    // True exactly when one alternative has every trigger: e.g. any of two all-of-equalities.
    const unique = [...new Set(exactAlternatives.flat())];
    if (unique.length <= maxTriggers) {
      const distinct = chooseTriggers(unique);
      triggers = distinct;
      guard = null;
      alternatives = exactAlternatives.map((alternative) =>
        alternative.reduce((mask, trigger) => mask | (1 << distinct.indexOf(trigger)), 0),
      );
    }
  } else if (touches === null && best !== undefined) {
    // Which lookups the engine makes depends on values, but not when the index shows the
    // best trigger absent: then the rule is skipped exactly when that trigger is absent (no
    // guard), starting the lookups the engine makes in that case.
    const withoutBest = top.touchesWithout(best);
    if (withoutBest !== null) {
      triggers = [best];
      guard = null;
      touches = withoutBest;
    }
  }
  return {
    name: rule.name,
    priority: Number.parseInt(String(rule.priority || 1), 10),
    nodeCount: context.nodeCount,
    step: top.step,
    topNode: top.node,
    template: top.template,
    params,
    always: top.mayThrow || touches === null || (triggers.length === 0 && guard === null),
    triggers,
    alternatives,
    guard,
    touches: touches ?? [],
    touchReads: (touches ?? []).flatMap((touch) => touch.reads),
  };
}

function addTo<K>(map: Map<K, number[]>, key: K, entry: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (list[list.length - 1] !== entry) list.push(entry);
}

function compileStage(stage: StageName, rules: readonly unknown[], context: CompileContext): CompiledStage {
  const compiled = rules
    .map((rule, index) => ({
      rule: compileRule(stage, rule as Parameters<typeof compileRule>[1], context),
      index,
    }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
  const triggers = {
    keyword: new Map<string, Map<number, number[]>>(),
    equal: new Map<string, Map<unknown, number[]>>(),
    member: new Map<string, Map<unknown, number[]>>(),
  };
  const forFact = <K>(maps: Map<string, Map<K, number[]>>, fact: string): Map<K, number[]> => {
    let map = maps.get(fact);
    if (map === undefined) {
      map = new Map();
      maps.set(fact, map);
    }
    return map;
  };
  const always: number[] = [];
  const guarded: number[] = [];
  const touching: number[] = [];
  const needed = new Uint16Array(compiled.length);
  const readBits = new Uint16Array(compiled.length);
  const touchReads = new Map<string, ComputedRead>();
  const readTriggers = new Map<string, ReadTriggers>();
  let touchesSkippable = true;
  compiled.forEach((rule, position) => {
    if (rule.always) {
      always.push(position);
      return;
    }
    if (rule.touches.length > 0) {
      touching.push(position);
      for (const touch of rule.touches) {
        for (const read of touch.reads) touchReads.set(read.key, read);
        if (touch.resolvesPath) touchesSkippable = false;
      }
    }
    if (rule.triggers.length === 0) {
      guarded.push(position);
      return;
    }
    needed[position] = (1 << rule.triggers.length) - 1;
    rule.triggers.forEach((trigger, bit) => {
      const entry = position * 16 + bit;
      for (const key of trigger.keys) {
        if (key.kind === 'keyword') addTo(forFact(triggers.keyword, key.fact), key.pattern, entry);
        else if (key.kind === 'equal') addTo(forFact(triggers.equal, key.fact), key.value, entry);
        else if (key.kind === 'member') addTo(forFact(triggers.member, key.fact), key.value, entry);
        else {
          let group = readTriggers.get(key.read.id);
          if (group === undefined) {
            group = { read: key.read, positions: new Map(), all: [] };
            readTriggers.set(key.read.id, group);
          }
          addTo(group.positions, key.value, entry);
          if (group.all[group.all.length - 1] !== entry) group.all.push(entry);
          readBits[position] = (readBits[position] as number) | (1 << bit);
        }
      }
    });
  });
  return {
    rules: compiled,
    always,
    guarded,
    guards: compiled.map((rule) => (rule.always ? null : rule.guard)),
    touching,
    touchReads: [...touchReads.values()],
    touchesSkippable,
    needed,
    readBits,
    alternatives: compiled.map((rule) => (rule.always ? null : rule.alternatives)),
    keywordTriggers: factTriggers(triggers.keyword),
    equalTriggers: factTriggers(triggers.equal),
    memberTriggers: factTriggers(triggers.member),
    readTriggers: [...readTriggers.values()],
  };
}

function factTriggers<K>(maps: Map<string, Map<K, number[]>>): FactTriggers<K>[] {
  return [...maps].map(([fact, positions]) => ({ fact, positions }));
}

const compiledRulesets = new WeakMap<Ruleset, CompiledRuleset>();

/**
 * The compiled form of a ruleset, built on first use and kept as long as the ruleset is.
 * Rulesets are immutable, so it never goes stale.
 */
export function compiledRulesetOf(ruleset: Ruleset): CompiledRuleset {
  let compiled = compiledRulesets.get(ruleset);
  if (compiled === undefined) {
    const keywords = new KeywordIndexBuilder();
    const context: CompileContext = { keywords, nodeCount: 0, keywordLeaves: 0, patternLeaves: new Map() };
    const stages = Object.fromEntries(
      stageNames.map((stage) => [stage, compileStage(stage, ruleset.stages[stage].rules, context)]),
    ) as CompiledRuleset['stages'];
    const summary = Object.fromEntries(
      stageNames.map((stage) => {
        const { rules, always, guarded } = stages[stage];
        return [
          stage,
          {
            always: always.length,
            guarded: guarded.length,
            indexed: rules.length - always.length - guarded.length,
          },
        ];
      }),
    ) as CompiledRuleset['summary'];
    const largestStage = Math.max(...stageNames.map((stage) => stages[stage].rules.length));
    const largestRule = Math.max(
      0,
      ...stageNames.flatMap((stage) => stages[stage].rules.map((rule) => rule.nodeCount)),
    );
    compiled = {
      stages,
      ruleCount: stageNames.reduce((sum, stage) => sum + stages[stage].rules.length, 0),
      keywords: keywords.build(),
      largestStage,
      largestRule,
      keywordLeaves: context.keywordLeaves,
      scratchPool: [],
      patternLeaves: context.patternLeaves,
      scansJoined:
        context.patternLeaves.has('text') &&
        (context.patternLeaves.has('subject') || context.patternLeaves.has('body')),
      summary,
    };
    compiledRulesets.set(ruleset, compiled);
  }
  return compiled;
}
