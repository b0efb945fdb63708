/**
 * What the benchmark generators draw from: a seedable PRNG with a small picker, and the
 * vocabulary of generated rules and complaints (English and Chinese domain keywords and filler,
 * channels, tiers, products, categories, tags, flags, skills, time zones).
 */
import { customerTiers } from '@triage/rules';
import { channels as complaintChannels } from '@triage/shared/complaint';

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

export class Picker {
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

export const englishFillerWords = `
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
export const chineseFillerChars = [
  ...'我的了是在有不这个们他她你就也都和说要去会着没看好还到对以后那里用下过多么天今昨明因为所但如果已经一直问题情况一次请帮忙希望谢谢非常真很',
];

export const channels = complaintChannels;
export const tiers = customerTiers;
export const products = [
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
export const regions = ['north', 'south', 'east', 'west', 'central', 'overseas'];
export const sourceTags = ['older-american', 'servicemember', 'vip-watch', 'media', 'repeat'];
export const categories = [
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
export const tagPool = tagTopics.flatMap((topic) => tagAspects.map((aspect) => `${topic}-${aspect}`));
export const flagPool = [
  'abusive-caller',
  'welfare-risk',
  'legal-hold',
  'blocklisted',
  'needs-callback',
  'vip',
];
export const skillPool = ['billing', 'fraud', 'zh', 'escalations', 'credit', 'welfare', 'legal', 'insurance'];
export const timeZones = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/London'];

export function englishKeyword(pick: Picker): string {
  if (pick.chance(0.25)) return pick.one(englishKeywordWords);
  return `${pick.one(englishKeywordWords)} ${pick.one(englishKeywordWords)}`;
}

export function chineseKeyword(pick: Picker): string {
  let word = '';
  const length = pick.int(2, 4);
  for (let i = 0; i < length; i += 1) word += pick.one(chineseKeywordChars);
  return word;
}

function keyword(pick: Picker): string {
  return pick.chance(0.5) ? chineseKeyword(pick) : englishKeyword(pick);
}

export function keywords(pick: Picker, count: number): string[] {
  const list = new Set<string>();
  while (list.size < count) list.add(keyword(pick));
  return [...list];
}
