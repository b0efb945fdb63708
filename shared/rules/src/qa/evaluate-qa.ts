import { Engine, type RuleResult } from 'json-rules-engine';
import type { FactSources } from '../facts';
import type { Ruleset } from '../load-ruleset';
import { registerOperators } from '../operators/custom-operators';
import type { RuleTrace } from '../triage-decision';
import type { QaTicket } from './qa-facts';
import { scoreQa, scorecardFor, type FiredQaRule, type QaScore } from './qa-score';

/** What the QA stage makes of a closed ticket: the score, the rules that fired, their trace. */
export interface QaEvaluation extends QaScore {
  /** Every fired rule, in priority order (a criterion's decisive rule is the one in `criteria`). */
  firedRules: FiredQaRule[];
  /** Tags of every fired rule, sorted, without duplicates. */
  tags: string[];
  /** Every QA rule evaluated, fired or not, with its condition trace. */
  trace: RuleTrace[];
  rulesetVersion: string;
}

/**
 * Evaluates rules/qa.json over one closed ticket and scores it on its card
 * (rules/qa-scorecards.json). Plain json-rules-engine with triage's custom operators: it runs once
 * per closed ticket, so it needs none of the compiled evaluator's speed, and a fresh Engine per
 * call (an Engine must not serve overlapping runs). Pure apart from the fact sources.
 */
export async function evaluateQa(
  ruleset: Ruleset,
  ticket: QaTicket,
  sources: FactSources,
  now: Date = new Date(),
): Promise<QaEvaluation> {
  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  registerOperators(engine, () => now.getTime());
  const order = new Map<string, number>();
  ruleset.qa.rules.forEach((rule, index) => {
    order.set(rule.name, index);
    engine.addRule({
      name: rule.name,
      priority: rule.priority,
      conditions: rule.conditions as never,
      event: rule.event,
    });
  });
  for (const [name, value] of Object.entries(ticket.facts)) engine.addFact(name, value);
  const repeatCounts = new Map<number, Promise<number>>();
  engine.addFact('repeatCount', (params: Record<string, unknown>) => {
    const days = typeof params.days === 'number' && params.days > 0 ? params.days : 30;
    let count = repeatCounts.get(days);
    if (count === undefined) {
      count = sources
        .recentComplaintIds(ticket.customerId, days, ticket.complaintId)
        .then((ids) => ids.length);
      repeatCounts.set(days, count);
    }
    return count;
  });

  const { results, failureResults } = await engine.run();
  const byPriority = (a: RuleResult, b: RuleResult) =>
    Number(b.priority) - Number(a.priority) ||
    (order.get(String(a.name)) ?? 0) - (order.get(String(b.name)) ?? 0);
  const firedRules: FiredQaRule[] = [...results].sort(byPriority).map((result) => {
    const rule = ruleset.qa.rules[order.get(String(result.name)) ?? -1];
    if (!rule) throw new Error(`QA rule "${String(result.name)}" fired but is not in the ruleset`);
    const { criterion, result: verdict, points, tags, reason } = rule.event.params;
    return {
      rule: rule.name,
      priority: rule.priority,
      criterion,
      result: verdict,
      ...(points !== undefined ? { points } : {}),
      ...(tags !== undefined ? { tags } : {}),
      reason,
    };
  });
  const trace: RuleTrace[] = [...results, ...failureResults].sort(byPriority).map((result) => ({
    stage: 'qa',
    rule: String(result.name),
    fired: result.result,
    conditions: (result.toJSON(false) as { conditions: unknown }).conditions,
  }));
  const card = scorecardFor(ruleset.qaScorecards, {
    queue: ticket.facts.queue,
    category: ticket.facts.category,
  });
  return {
    ...scoreQa(card, firedRules),
    firedRules,
    tags: [...new Set(firedRules.flatMap((rule) => rule.tags ?? []))].sort(),
    trace,
    rulesetVersion: ruleset.version,
  };
}
