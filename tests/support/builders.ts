import type { ComplaintInput } from '@triage/shared/complaint';
import { randomUUID } from 'node:crypto';

/** A complaint as a CRM would send it; override what the test is about. */
export function buildComplaint(overrides: Partial<ComplaintInput> = {}): ComplaintInput {
  return {
    customer: { id: `cust-${randomUUID().slice(0, 8)}`, name: 'Wang Fang', tier: 'standard' },
    channel: 'phone',
    subject: '信用卡被重复扣费',
    body: '我的信用卡本月被重复扣费两次，客服一直没有回复，请尽快退款。',
    language: 'zh-CN',
    ...overrides,
  };
}

export function buildEnglishComplaint(overrides: Partial<ComplaintInput> = {}): ComplaintInput {
  return buildComplaint({
    subject: 'Double charged on my card',
    body: 'I was double charged for the same purchase and nobody answered my emails. I want a refund.',
    language: 'en',
    customer: { id: `cust-${randomUUID().slice(0, 8)}`, name: 'John Miller', tier: 'gold' },
    ...overrides,
  });
}
