/**
 * A seeded generator of rulesets and complaints shaped like real admin rules, for the
 * rules-throughput benchmark and the compiled-evaluator differential test.
 *
 * Rules: about 70 % keyword rules (5–20 Chinese and English keywords, sometimes with an
 * exclusion list or an equality beside them), 20 % equality rules on channel, product and
 * customer tier (later stages also on category and tags), 10 % numeric and time rules (age,
 * hour and weekday of receipt, business hours, text length, history facts), nested all/any/not
 * up to depth 3, spread over the four stages with event params valid for each stage.
 * Complaints: Chinese, English and mixed text with a few domain keywords among filler words,
 * some upper-case, full-width or oddly spaced, on every channel, tier and product.
 *
 * The same seed always gives the same files and complaints.
 */
import { customerTiers } from '@triage/rules';
import { channels as complaintChannels } from '@triage/shared/complaint';
import type { ComplaintFacts, FactSources, RuleCondition, StageName } from '@triage/rules';
import type { ComplaintInput } from '@triage/shared/complaint';

/** mulberry32: a small, fast, seedable PRNG. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Picker {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  one<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  some<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.random() * pool.length), 1)[0] as T);
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------

const englishKeywordWords = `
account agent annual appeal application approval arrears audit balance bank bankruptcy billing
bonus branch breach broker cancellation card cashback charge chargeback cheque claim closure
collateral collection commission compensation complaint contract cosigner coverage credit
cryptocurrency custody customs damaged deadline debit debt declined default delinquent deposit
dispute dividend document downgrade duplicate eligibility email embezzle escrow estimate
eviction exchange expired extension fee fine forbearance foreclosure forged fraud freeze
garnishment guarantee hardship identity inaccurate installment insurance interest invoice
judgment lease lender liability lien limit loan locked maturity merchant minimum misleading
modification mortgage negligence notice obligation outage overdraft overdue ownership password
payday payment payoff penalty pension permit phishing pin policy premium principal privacy
promotion receipt refinance refund reimbursement rejected renewal repossession rescind reversal
reward roaming salary scam settlement shipment signal solicitation statement stolen subscription
surcharge suspension tariff tax teller termination theft title transfer transaction trustee
underwriting unauthorized upgrade valuation verification voucher waiver warranty withdrawal
wire`
  .trim()
  .split(/\s+/);

const englishFillerWords = `
the a an and or but if then so because my our your their this that these those is was were be
been have has had do did does not no yes very really still again already also just only never
always yesterday today tomorrow week month year morning evening please help thanks regards hello
dear sir madam team people someone nobody everyone thing things time times day days number
called said told asked waited went came got made tried want need would could should might will
can may about after before during since until while when where which who what why how there
here again more less many much few some any every each other another same different new old
first last next long short big small good bad wrong right late early`
  .trim()
  .split(/\s+/);

// Chinese keywords are drawn from domain characters, filler from everyday ones (disjoint sets).
const chineseKeywordChars = [
  ...'退款扣费投诉账单信用卡贷款利息罚息逾期催收骚扰冻结盗刷诈骗身份理财保险赔付合同违约押金充值提现转账汇款手续费年费套餐流量宽带信号停机销户注销额度分期征信报告律师起诉法院监管消协曝光媒体记者维权欺诈虚假宣传霸王条款捆绑强制搭售误导隐瞒拒赔理赔客服态度推诿拖延故障维修质量退货换货发票物流快递丢件损坏延误航班酒店预订订单支付密码验证码短信',
];
const chineseFillerChars = [
  ...'我的了是在有不这个们他她你就也都和说要去会着没看好还到对以后那里用下过多么天今昨明因为所但如果已经一直问题情况一次请帮忙希望谢谢非常真很',
];

const channels = complaintChannels;
const tiers = customerTiers;
const products = [
  'credit card',
  'prepaid card',
  'checking account',
  'savings account',
  'mortgage',
  'vehicle loan',
  'student loan',
  'payday loan',
  'personal loan',
  'debt collection',
  'credit reporting',
  'money transfer',
  'virtual currency',
  'broadband',
  'mobile plan',
  'home insurance',
  'travel insurance',
  'wealth management',
  '信用卡',
  '房贷',
  '车贷',
  '消费贷',
  '宽带',
  '手机套餐',
  '理财产品',
  '车险',
  '医疗险',
  '储蓄卡',
  '花呗',
  '借呗',
];
const regions = ['north', 'south', 'east', 'west', 'central', 'overseas'];
const sourceTags = ['older-american', 'servicemember', 'vip-watch', 'media', 'repeat'];
const categories = [
  'billing',
  'banking',
  'loans',
  'mortgage',
  'fraud',
  'credit-reporting',
  'debt-collection',
  'telecom-service',
  'service-quality',
  'insurance',
  'delivery',
  'privacy',
  'account-access',
  'product-quality',
  'general',
];
// Tags name a topic and an aspect ("refund-dispute", "outage-escalate"), as admins write them.
const tagTopics = [
  'billing',
  'refund',
  'fraud',
  'privacy',
  'outage',
  'delivery',
  'loan',
  'card',
  'account',
  'insurance',
  'media',
  'legal',
];
const tagAspects = [
  'dispute',
  'threat',
  'repeat',
  'escalate',
  'vulnerable',
  'high-value',
  'churn-risk',
  'exception',
];
const tagPool = tagTopics.flatMap((topic) => tagAspects.map((aspect) => `${topic}-${aspect}`));
const flagPool = ['abusive-caller', 'welfare-risk', 'legal-hold', 'blocklisted', 'needs-callback', 'vip'];
const skillPool = ['billing', 'fraud', 'zh', 'escalations', 'credit', 'welfare', 'legal', 'insurance'];
const timeZones = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/London'];

function englishKeyword(pick: Picker): string {
  if (pick.chance(0.25)) return pick.one(englishKeywordWords);
  return `${pick.one(englishKeywordWords)} ${pick.one(englishKeywordWords)}`;
}

function chineseKeyword(pick: Picker): string {
  let word = '';
  const length = pick.int(2, 4);
  for (let i = 0; i < length; i += 1) word += pick.one(chineseKeywordChars);
  return word;
}

function keyword(pick: Picker): string {
  return pick.chance(0.5) ? chineseKeyword(pick) : englishKeyword(pick);
}

function keywords(pick: Picker, count: number): string[] {
  const list = new Set<string>();
  while (list.size < count) list.add(keyword(pick));
  return [...list];
}

// ---------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Complaints
// ---------------------------------------------------------------------------------------

const fullWidth = (text: string) =>
  text.replace(/[A-Za-z0-9]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));

function englishText(pick: Picker, words: number, keywordCount: number): string {
  const tokens: string[] = [];
  for (let i = 0; i < words; i += 1) tokens.push(pick.one(englishFillerWords));
  for (let i = 0; i < keywordCount; i += 1) {
    let word = englishKeyword(pick);
    if (pick.chance(0.15)) word = word.toUpperCase();
    else if (pick.chance(0.1)) word = word[0]?.toUpperCase() + word.slice(1);
    if (pick.chance(0.1)) word = word.replace(' ', pick.one(['  ', '\n', '\u3000', ' \t']));
    if (pick.chance(0.1)) word = `${word}s`; // inflected: should not match a word-bounded keyword
    if (pick.chance(0.03)) word = fullWidth(word);
    tokens.splice(pick.int(0, tokens.length), 0, word);
  }
  return tokens.join(' ').replace(/^./, (char) => char.toUpperCase()) + '.';
}

function chineseText(pick: Picker, chars: number, keywordCount: number): string {
  const parts: string[] = [];
  for (let i = 0; i < chars; i += 1) parts.push(pick.one(chineseFillerChars));
  for (let i = 0; i < keywordCount; i += 1) parts.splice(pick.int(0, parts.length), 0, chineseKeyword(pick));
  if (pick.chance(0.2))
    parts.splice(pick.int(0, parts.length), 0, pick.one(['12315', 'ＣＦＰＢ', '110', 'App']));
  return parts.join('') + '。';
}

/** Customers are reused, so some have history; the same id always has the same tier. */
const customerCount = 400;

/** `count` complaints received in the week before `now`, Chinese, English or both. */
export function generateComplaints(count: number, seed: number, now: Date): ComplaintFacts[] {
  const pick = new Picker(createRandom(seed ^ 0x5eed));
  const complaints: ComplaintFacts[] = [];
  for (let index = 0; index < count; index += 1) {
    const language = pick.one(['zh-CN', 'en', 'en', 'zh-CN', 'mixed']);
    const keywordCount = pick.int(1, 6);
    const body =
      language === 'en'
        ? englishText(pick, pick.int(15, 80), keywordCount)
        : language === 'zh-CN'
          ? chineseText(pick, pick.int(20, 150), keywordCount)
          : `${chineseText(pick, pick.int(10, 60), Math.ceil(keywordCount / 2))} ${englishText(pick, pick.int(5, 40), Math.floor(keywordCount / 2))}`;
    const subject = pick.chance(0.6)
      ? language === 'en'
        ? englishText(pick, pick.int(2, 6), pick.int(0, 1))
        : chineseText(pick, pick.int(3, 10), pick.int(0, 1))
      : undefined;
    const customer = pick.int(1, customerCount);
    const receivedAt = new Date(now.getTime() - pick.int(0, 7 * 24 * 60) * 60_000);
    const tags = pick.chance(0.15) ? pick.some(sourceTags, pick.int(1, 2)) : [];
    complaints.push({
      id: `gen-${seed}-${index}`,
      source: pick.one(['api', 'crm-east', 'crm-west', 'cfpb']),
      channel: pick.one(channels),
      ...(subject !== undefined ? { subject } : {}),
      body,
      ...(pick.chance(0.8) ? { product: pick.one(products) } : {}),
      ...(language !== 'mixed' ? { language } : {}),
      customer: { id: `customer-${customer}`, tier: tiers[customer % tiers.length] as string },
      metadata: { region: pick.one(regions), tags },
      receivedAt,
      ...(pick.chance(0.7)
        ? { occurredAt: new Date(receivedAt.getTime() - pick.int(0, 40 * 24) * 3_600_000) }
        : {}),
    });
  }
  return complaints;
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * Deterministic history for generated customers (the documented FactSources interface, no
 * database): customer n has n mod 5 earlier complaints, one every 9 days, n mod 3 open ones, and
 * one customer in 13 is blocklisted.
 */
export const generatedHistory: FactSources = {
  recentComplaintIds: async (customerId, days) => {
    const earlier = hashOf(customerId) % 5;
    const ids: string[] = [];
    for (let k = 0; k < earlier; k += 1) if (k * 9 <= days) ids.push(`${customerId}-earlier-${k}`);
    return ids;
  },
  openComplaints: async (customerId) => hashOf(customerId) % 3,
  isBlocklisted: async (customerId) => hashOf(customerId) % 13 === 0,
};

/** The facts rules see for a complaint as a CRM submits it (e.g. a CFPB record), received at `receivedAt`. */
export function complaintFactsOf(input: ComplaintInput, id: string, receivedAt: Date): ComplaintFacts {
  return {
    id,
    source: input.source ?? 'api',
    channel: input.channel,
    body: input.body,
    customer: input.customer,
    receivedAt,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.product !== undefined ? { product: input.product } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    ...(input.occurredAt !== undefined ? { occurredAt: new Date(input.occurredAt) } : {}),
  };
}
