/**
 * Generated rule files for the rules-throughput benchmark and the compiled-evaluator
 * differential test: keyword, equality and numeric/time rule templates, nested all/any/not up
 * to depth 3, with event params valid for each stage. The same seed gives the same files.
 */
import type { RuleCondition, StageName } from '@triage/rules';
import {
  categories,
  channels,
  createRandom,
  flagPool,
  keywords,
  Picker,
  products,
  regions,
  skillPool,
  sourceTags,
  tagPool,
  tiers,
  timeZones,
} from './generator-vocabulary';

type Leaf = Extract<RuleCondition, { fact: string }>;

const textLeaf = (operator: string, value: string[], priority?: number): Leaf => ({
  fact: 'text',
  operator,
  value,
  ...(priority !== undefined ? { priority } : {}),
});

function equalityLeaf(pick: Picker, stage: StageName): Leaf {
  const facts =
    stage === 'classify'
      ? ['channel', 'product', 'customerTier']
      : ['channel', 'product', 'customerTier', 'category', 'tags'];
  const fact = pick.one(facts);
  switch (fact) {
    case 'channel':
      return pick.chance(0.8)
        ? { fact, operator: 'equal', value: pick.one(channels) }
        : { fact, operator: 'in', value: pick.some(channels, 2) };
    case 'product':
      return pick.chance(0.8)
        ? { fact, operator: 'equal', value: pick.one(products) }
        : { fact, operator: 'in', value: pick.some(products, pick.int(2, 3)) };
    case 'customerTier':
      return pick.chance(0.7)
        ? { fact, operator: 'equal', value: pick.one(tiers) }
        : { fact, operator: 'in', value: pick.some(tiers, 2) };
    case 'category':
      return { fact, operator: 'equal', value: pick.one(categories) };
    default:
      return { fact: 'tags', operator: 'contains', value: pick.one(tagPool) };
  }
}

function numericLeaf(pick: Picker): Leaf {
  switch (pick.int(0, 9)) {
    case 0:
      return { fact: 'ageHours', operator: 'greaterThan', value: pick.int(1, 30) * 24 };
    case 1:
      return {
        fact: 'receivedHour',
        params: { timeZone: pick.one(timeZones) },
        operator: 'betweenHours',
        value: pick.chance(0.5) ? [pick.int(0, 11), pick.int(12, 24)] : [pick.int(18, 23), pick.int(1, 8)],
      };
    case 2:
      return { fact: 'text', operator: 'lengthGreaterThan', value: pick.int(2, 40) * 10 };
    case 3:
      return {
        fact: 'receivedWeekday',
        params: { timeZone: pick.one(timeZones) },
        operator: 'in',
        value: pick.chance(0.5) ? [6, 7] : [1, 2, 3, 4, 5],
      };
    case 4:
      return {
        fact: 'insideBusinessHours',
        params: { calendar: pick.one(['us-eastern', 'cn-business', 'always']) },
        operator: 'equal',
        value: pick.chance(0.7) ? false : true,
      };
    case 5:
      return { fact: 'occurredAt', operator: 'olderThanHours', value: pick.int(1, 20) * 24 };
    case 6:
      return {
        fact: 'repeatCount',
        params: { days: pick.one([7, 30, 90]) },
        operator: 'greaterThanInclusive',
        value: pick.int(1, 3),
      };
    case 7:
      return { fact: 'openComplaints', operator: 'greaterThan', value: pick.int(0, 2) };
    case 8:
      return { fact: 'metadata', path: '$.region', operator: 'equal', value: pick.one(regions) };
    default:
      return { fact: 'sourceTags', operator: 'someFact:in', value: pick.some(sourceTags, 2) };
  }
}

/** 5–20 keywords split over one to three keyword conditions, nested up to depth 3. */
function keywordConditions(pick: Picker, stage: StageName): RuleCondition {
  const total = pick.int(5, 20);
  const shape = pick.int(0, 9);
  if (shape <= 3 || total < 8) {
    // { any: [containsAny] } — the most common admin rule.
    return { any: [textLeaf('containsAny', keywords(pick, total))] };
  }
  if (shape === 4) {
    // Must mention one of A and one of B.
    const first = pick.int(3, total - 3);
    return {
      all: [
        textLeaf('containsAny', keywords(pick, first)),
        textLeaf('containsAny', keywords(pick, total - first)),
      ],
    };
  }
  if (shape === 5) {
    // Keywords except when an exclusion phrase is present.
    const exclusions = pick.int(2, 4);
    return {
      all: [
        textLeaf('containsAny', keywords(pick, total - exclusions)),
        pick.chance(0.5)
          ? textLeaf('not:containsAny', keywords(pick, exclusions))
          : { not: textLeaf('containsAny', keywords(pick, exclusions)) },
      ],
    };
  }
  if (shape === 6) {
    // Keywords on one channel or tier; the cheap check first.
    return {
      all: [{ ...equalityLeaf(pick, stage), priority: 10 }, textLeaf('containsAny', keywords(pick, total))],
    };
  }
  if (shape === 7) {
    // Depth 3: any[ all[ containsAll, any[ containsAny, equality ] ], containsAny ].
    const all = pick.int(2, 3);
    const rest = total - all;
    const inner = pick.int(2, rest - 2);
    return {
      any: [
        {
          all: [
            textLeaf('containsAll', keywords(pick, all)),
            { any: [textLeaf('containsAny', keywords(pick, inner)), equalityLeaf(pick, stage)] },
          ],
        },
        textLeaf('containsAny', keywords(pick, rest - inner)),
      ],
    };
  }
  if (shape === 8) {
    // Keywords on the subject or the body, for a product.
    const half = Math.floor(total / 2);
    return {
      all: [
        {
          any: [
            { fact: 'subject', operator: 'containsAny', value: keywords(pick, half) },
            { fact: 'body', operator: 'containsAny', value: keywords(pick, total - half) },
          ],
        },
        { any: [equalityLeaf(pick, stage), numericLeaf(pick)] },
      ],
    };
  }
  // Either of two keyword groups, the second with a minimum length.
  const first = pick.int(3, total - 3);
  return {
    any: [
      textLeaf('containsAny', keywords(pick, first), 5),
      { all: [textLeaf('containsAny', keywords(pick, total - first)), numericLeaf(pick)] },
    ],
  };
}

function equalityConditions(pick: Picker, stage: StageName): RuleCondition {
  // Admin equality rules mostly pin a combination ("gold customers about mortgages by phone").
  switch (pick.int(0, 5)) {
    case 0:
      return { all: [equalityLeaf(pick, stage)] };
    case 1:
    case 2:
      return { all: [equalityLeaf(pick, stage), equalityLeaf(pick, stage)] };
    case 3:
      return { all: [equalityLeaf(pick, stage), equalityLeaf(pick, stage), equalityLeaf(pick, stage)] };
    case 4:
      return {
        any: [
          { all: [equalityLeaf(pick, stage), equalityLeaf(pick, stage)] },
          { all: [equalityLeaf(pick, stage), equalityLeaf(pick, stage)] },
        ],
      };
    default:
      return {
        all: [
          equalityLeaf(pick, stage),
          equalityLeaf(pick, stage),
          { any: [equalityLeaf(pick, stage), { not: equalityLeaf(pick, stage) }] },
        ],
      };
  }
}

function numericConditions(pick: Picker, stage: StageName): RuleCondition {
  // A time or size condition usually narrows something else down.
  switch (pick.int(0, 4)) {
    case 0:
      return { all: [numericLeaf(pick), numericLeaf(pick), numericLeaf(pick)] };
    case 1:
    case 2:
      return { all: [equalityLeaf(pick, stage), numericLeaf(pick)] };
    case 3:
      return { all: [equalityLeaf(pick, stage), numericLeaf(pick), numericLeaf(pick)] };
    default:
      return {
        any: [
          { all: [numericLeaf(pick), numericLeaf(pick), equalityLeaf(pick, stage)] },
          { all: [numericLeaf(pick), equalityLeaf(pick, stage)] },
        ],
      };
  }
}

interface Catalogue {
  policies: string[];
  calendars: string[];
  queues: string[];
}

function eventParams(pick: Picker, stage: StageName, catalogue: Catalogue): Record<string, unknown> {
  const maybe = <T>(probability: number, make: () => T): T | undefined =>
    pick.chance(probability) ? make() : undefined;
  const params: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) params[key] = value;
  };
  switch (stage) {
    case 'classify':
      set('category', pick.one(categories));
      set(
        'tags',
        maybe(0.25, () => pick.some(tagPool, pick.int(1, 2))),
      );
      set(
        'flags',
        maybe(0.05, () => [pick.one(flagPool)]),
      );
      break;
    case 'severity':
      set('severity', pick.one(['low', 'medium', 'high', 'critical']));
      set(
        'priorityBoost',
        maybe(0.5, () => pick.int(-10, 30)),
      );
      set(
        'tags',
        maybe(0.2, () => [pick.one(tagPool)]),
      );
      set(
        'flags',
        maybe(0.05, () => [pick.one(flagPool)]),
      );
      break;
    case 'sla':
      if (pick.chance(0.7)) set('slaPolicy', pick.one(catalogue.policies));
      else set('calendar', pick.one(catalogue.calendars));
      break;
    default:
      set('queue', pick.one(catalogue.queues));
      set(
        'skills',
        maybe(0.3, () => [pick.one(skillPool)]),
      );
      set(
        'tags',
        maybe(0.1, () => [pick.one(tagPool)]),
      );
  }
  return params;
}

function stageOf(index: number, count: number): StageName {
  // Most rules classify; SLA overrides are few.
  const share = index / Math.max(1, count);
  if (share < 0.45) return 'classify';
  if (share < 0.75) return 'severity';
  if (share < 0.8) return 'sla';
  return 'route';
}

function catalogueOf(base: ReadonlyMap<string, string>): Catalogue {
  const read = <T>(file: string): T => {
    const text = base.get(file);
    if (text === undefined) throw new Error(`generateRuleFiles needs rules/${file}`);
    return JSON.parse(text) as T;
  };
  return {
    policies: read<{ policies: { id: string }[] }>('sla-policies.json').policies.map((policy) => policy.id),
    calendars: read<{ calendars: { id: string }[] }>('calendars.json').calendars.map(
      (calendar) => calendar.id,
    ),
    queues: read<{ queues: { id: string }[] }>('queues.json').queues.map((queue) => queue.id),
  };
}

/**
 * `ruleCount` generated rules as the four stage files, with the SLA policies, calendars and
 * queues of `base` (the files of rules/), ready for compileRuleset().
 */
export function generateRuleFiles(
  ruleCount: number,
  seed: number,
  base: ReadonlyMap<string, string>,
): Map<string, string> {
  const pick = new Picker(createRandom(seed));
  const catalogue = catalogueOf(base);
  const rules: Record<StageName, unknown[]> = { classify: [], severity: [], sla: [], route: [] };
  for (let index = 0; index < ruleCount; index += 1) {
    const stage = stageOf(index, ruleCount);
    const draw = pick.random();
    const kind = draw < 0.7 ? 'keyword' : draw < 0.9 ? 'equality' : 'numeric';
    const conditions =
      kind === 'keyword'
        ? keywordConditions(pick, stage)
        : kind === 'equality'
          ? equalityConditions(pick, stage)
          : numericConditions(pick, stage);
    rules[stage].push({
      name: `${stage}-${kind}-${index}`,
      priority: pick.chance(0.3) ? 1 : pick.int(1, 100),
      conditions,
      event: { type: stage, params: eventParams(pick, stage, catalogue) },
    });
  }
  const files = new Map(base);
  const defaults: Record<StageName, Record<string, unknown> | undefined> = {
    classify: { category: 'general' },
    severity: { severity: 'medium' },
    sla: undefined,
    route: { queue: 'general' },
  };
  for (const stage of Object.keys(rules) as StageName[]) {
    files.set(
      `${stage}.json`,
      JSON.stringify({
        stage,
        description: `${rules[stage].length} generated rules (seed ${seed})`,
        ...(defaults[stage] ? { defaults: defaults[stage] } : {}),
        rules: rules[stage],
      }),
    );
  }
  return files;
}
