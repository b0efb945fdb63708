import { baseOperatorOf, type FiredRule, type RuleTrace } from '@triage/rules';

/** One fired rule, said in a sentence an agent can read ("why is this ticket here?"). */
export interface DecisionReason {
  stage: string;
  rule: string;
  sentence: string;
}

/** How many values of a long list a sentence quotes before "…". */
const quotedValues = 4;
/** How much of a fact's value (the complaint text, say) a sentence quotes. */
const quotedLength = 60;

interface Leaf {
  fact: string;
  operator: string;
  value: unknown;
  factResult?: unknown;
  matched?: unknown;
  params?: unknown;
  path?: unknown;
  result?: unknown;
}

function isLeaf(node: Record<string, unknown>): node is Record<string, unknown> & Leaf {
  return typeof node.fact === 'string' && typeof node.operator === 'string';
}

function quote(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.replace(/\s+/g, ' ');
    return `"${text.length > quotedLength ? `${text.slice(0, quotedLength)}…` : text}"`;
  }
  if (value && typeof value === 'object' && 'pattern' in value) {
    const { pattern, flags } = value as { pattern: unknown; flags?: unknown };
    return `/${String(pattern)}/${typeof flags === 'string' ? flags : ''}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function quoteList(values: unknown): string {
  const list = Array.isArray(values) ? values : [values];
  const shown = list.slice(0, quotedValues).map(quote).join(', ');
  return list.length > quotedValues ? `${shown}, … (${list.length} in all)` : shown;
}

/** "the text", "repeatCount (days 30)": the fact a condition looked at. */
function factName(leaf: Leaf): string {
  const params =
    leaf.params && typeof leaf.params === 'object'
      ? Object.entries(leaf.params as Record<string, unknown>)
          .map(([key, value]) => `${key} ${String(value)}`)
          .join(', ')
      : '';
  const path = typeof leaf.path === 'string' ? leaf.path.replace(/^\$\.?/, '.') : '';
  const name = ['text', 'tags', 'flags', 'language', 'channel', 'product'].includes(leaf.fact)
    ? `the ${leaf.fact}`
    : leaf.fact;
  return `${name}${path}${params ? ` (${params})` : ''}`;
}

const comparisons: Record<string, [string, string]> = {
  equal: ['is', 'is not'],
  notEqual: ['is not', 'is'],
  lessThan: ['is less than', 'is not less than'],
  lessThanInclusive: ['is at most', 'is more than'],
  greaterThan: ['is more than', 'is not more than'],
  greaterThanInclusive: ['is at least', 'is less than'],
  in: ['is one of', 'is none of'],
  notIn: ['is none of', 'is one of'],
  contains: ['include', 'do not include'],
  doesNotContain: ['do not include', 'include'],
};

/** One condition as words; `holds` says whether it is stated as true or, under a `not`, as false. */
function leafInWords(leaf: Leaf, holds: boolean): string {
  const operator = baseOperatorOf(leaf.operator);
  const fact = factName(leaf);
  if (operator === 'containsAny' || operator === 'containsAll') {
    const matched = Array.isArray(leaf.matched) ? leaf.matched : [];
    if (holds && matched.length > 0) return `${fact} contains ${quoteList(matched)}`;
    return holds
      ? `${fact} contains ${operator === 'containsAll' ? 'all' : 'one'} of ${quoteList(leaf.value)}`
      : `${fact} contains none of ${quoteList(leaf.value)}`;
  }
  if (operator === 'matchesRegex') {
    const pattern = typeof leaf.value === 'string' ? `/${leaf.value}/` : quote(leaf.value);
    return `${fact} ${holds ? 'matches' : 'does not match'} ${pattern}`;
  }
  const words = comparisons[operator];
  if (words) {
    const [yes, no] = words;
    const seen = ['equal', 'notEqual', 'contains', 'doesNotContain'].includes(operator)
      ? ''
      : ` (it is ${quote(leaf.factResult)})`;
    const value = Array.isArray(leaf.value) ? quoteList(leaf.value) : quote(leaf.value);
    return `${fact} ${holds ? yes : no} ${value}${seen}`;
  }
  return `${fact} ${holds ? '' : 'not '}${operator} ${quote(leaf.value)} (it is ${quote(leaf.factResult)})`;
}

/**
 * The conditions that made a rule fire, as clauses: every clause of an `all`, the clauses of an
 * `any` that held, a `not` stated the other way round. Conditions that did not matter are left out.
 */
function clausesOf(node: unknown, holds = true): string[] {
  if (Array.isArray(node)) return node.flatMap((child) => clausesOf(child, holds));
  if (!node || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  if (isLeaf(record)) return [leafInWords(record, holds)];
  if ('not' in record) return clausesOf(record.not, !holds);
  if (Array.isArray(record.all)) return clausesOf(record.all, holds);
  if (Array.isArray(record.any)) {
    const children = record.any as unknown[];
    const decisive = children.filter((child) => resultOf(child) === holds);
    return clausesOf(decisive.length > 0 ? decisive : children, holds);
  }
  return [];
}

/** Whether a condition node held, as far as the trace says (leaves carry `result`). */
function resultOf(node: unknown): boolean | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  if (typeof record.result === 'boolean') return record.result;
  if ('not' in record) {
    const inner = resultOf(record.not);
    return inner === undefined ? undefined : !inner;
  }
  const results = (Array.isArray(record.all) ? record.all : Array.isArray(record.any) ? record.any : []).map(
    resultOf,
  );
  if (results.includes(undefined)) return undefined;
  return Array.isArray(record.all) ? results.every(Boolean) : results.some(Boolean);
}

const paramWords: Record<string, string> = {
  category: 'category',
  severity: 'severity',
  priorityBoost: 'priority boost',
  slaPolicy: 'SLA policy',
  calendar: 'calendar',
  queue: 'queue',
  skills: 'skills',
  tags: 'tags',
  flags: 'flags',
};

/** What the rule's event set: "category fraud; tags fraud". */
function effectInWords(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([key, value]) => {
      const shown = Array.isArray(value) ? value.map(String).join(', ') : String(value);
      const signed = key === 'priorityBoost' && typeof value === 'number' && value >= 0 ? `+${shown}` : shown;
      return `${paramWords[key] ?? key} ${signed}`;
    })
    .join('; ');
}

/**
 * The "why" of a triage decision in words: one sentence per fired rule, in the order the rules
 * ran, e.g. `Rule classify/fraud-or-identity-theft fired because the text contains "盗刷" and the
 * text contains none of "identity theft protection": category fraud; tags fraud.` Built from
 * the stored condition trace (docs/architecture.md), so it says what was seen, not what a rule
 * file says today.
 */
export function decisionInWords(
  trace: readonly RuleTrace[],
  firedRules: readonly FiredRule[] = [],
): DecisionReason[] {
  return trace
    .filter((rule) => rule.fired)
    .map((rule) => {
      const clauses = clausesOf(rule.conditions);
      const fired = firedRules.find(
        (candidate) => candidate.stage === rule.stage && candidate.rule === rule.rule,
      );
      const effect = effectInWords(fired?.params);
      const because = clauses.length > 0 ? ` because ${clauses.join(' and ')}` : '';
      return {
        stage: rule.stage,
        rule: rule.rule,
        sentence: `Rule ${rule.stage}/${rule.rule} fired${because}${effect ? `: ${effect}` : ''}.`,
      };
    });
}
