/**
 * Generated complaints for the rules benchmarks and tests: Chinese, English and mixed text
 * with a few domain keywords among filler words, some upper-case, full-width or oddly spaced,
 * on every channel, tier and product; a deterministic customer history; and the facts rules
 * see for a complaint as a CRM submits it. The same seed gives the same complaints.
 */
import type { ComplaintFacts, FactSources } from '@triage/rules';
import type { ComplaintInput } from '@triage/shared/complaint';
import {
  channels,
  chineseFillerChars,
  chineseKeyword,
  createRandom,
  englishFillerWords,
  englishKeyword,
  Picker,
  products,
  regions,
  sourceTags,
  tiers,
} from './generator-vocabulary';

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
