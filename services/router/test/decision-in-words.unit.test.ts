import type { FiredRule, RuleTrace } from '@triage/rules';
import { decisionInWords } from '../src/agent-workspace/decision-in-words';

/* A stored trace as the worker keeps it (explainTrace): a Chinese fraud complaint that names 12315. */
const text = '信用卡被盗刷\n我的信用卡被盗刷了三笔,我已经打了12315。';
const trace: RuleTrace[] = [
  {
    stage: 'classify',
    rule: 'abusive-contact',
    fired: false,
    conditions: {
      any: [
        {
          fact: 'text',
          operator: 'containsAny',
          value: ['去死'],
          matched: [],
          factResult: text,
          result: false,
        },
      ],
    },
  },
  {
    stage: 'classify',
    rule: 'fraud-or-identity-theft',
    fired: true,
    conditions: {
      priority: 1,
      all: [
        {
          operator: 'containsAny',
          value: ['fraud', 'scam', '盗刷', '诈骗', '被盗'],
          fact: 'text',
          matched: ['盗刷', '被盗'],
          factResult: text,
          result: true,
        },
        {
          priority: 1,
          not: {
            operator: 'containsAny',
            value: ['identity theft protection'],
            fact: 'text',
            matched: [],
            factResult: text,
            result: false,
          },
        },
      ],
    },
  },
  {
    stage: 'sla',
    rule: 'regulatory-clock',
    fired: true,
    conditions: {
      all: [
        {
          any: [
            {
              operator: 'contains',
              value: 'regulatory-threat',
              fact: 'tags',
              factResult: ['fraud', 'regulatory-threat'],
              result: true,
            },
            {
              operator: 'contains',
              value: 'legal-threat',
              fact: 'tags',
              factResult: ['fraud', 'regulatory-threat'],
              result: false,
            },
          ],
        },
        { operator: 'notEqual', value: 'critical', fact: 'severity', factResult: 'high', result: true },
      ],
    },
  },
  {
    stage: 'route',
    rule: 'chinese-service',
    fired: true,
    conditions: {
      any: [
        { operator: 'matchesRegex', value: '^zh', fact: 'language', factResult: 'zh-CN', result: true },
        {
          operator: 'matchesRegex',
          value: { pattern: '\\p{Script=Han}', flags: 'u' },
          fact: 'text',
          factResult: text,
          result: true,
        },
      ],
    },
  },
  {
    stage: 'route',
    rule: 'repeat-desk',
    fired: true,
    conditions: {
      all: [
        {
          fact: 'repeatCount',
          params: { days: 30 },
          operator: 'greaterThanInclusive',
          value: 2,
          factResult: 3,
          result: true,
        },
      ],
    },
  },
];
const firedRules: FiredRule[] = [
  {
    stage: 'classify',
    rule: 'fraud-or-identity-theft',
    priority: 80,
    params: { category: 'fraud', tags: ['fraud'] },
  },
  { stage: 'sla', rule: 'regulatory-clock', priority: 90, params: { slaPolicy: 'regulatory' } },
  { stage: 'route', rule: 'chinese-service', priority: 50, params: { queue: 'cn-service', skills: ['zh'] } },
  { stage: 'route', rule: 'repeat-desk', priority: 40, params: { queue: 'repeat-desk', priorityBoost: 5 } },
];

describe('decisionInWords', () => {
  it('when rules fired, then there is one sentence per fired rule, in trace order, naming what was seen and what the rule set', () => {
    expect(decisionInWords(trace, firedRules)).toEqual([
      {
        stage: 'classify',
        rule: 'fraud-or-identity-theft',
        sentence:
          'Rule classify/fraud-or-identity-theft fired because the text contains "盗刷", "被盗" and the text contains none of "identity theft protection": category fraud; tags fraud.',
      },
      {
        stage: 'sla',
        rule: 'regulatory-clock',
        sentence:
          'Rule sla/regulatory-clock fired because the tags include "regulatory-threat" and severity is not "critical": SLA policy regulatory.',
      },
      {
        stage: 'route',
        rule: 'chinese-service',
        sentence:
          'Rule route/chinese-service fired because the language matches /^zh/ and the text matches /\\p{Script=Han}/u: queue cn-service; skills zh.',
      },
      {
        stage: 'route',
        rule: 'repeat-desk',
        sentence:
          'Rule route/repeat-desk fired because repeatCount (days 30) is at least 2 (it is 3): queue repeat-desk; priority boost +5.',
      },
    ]);
  });

  it('when no rule fired or the trace is missing, then there are no sentences', () => {
    expect(decisionInWords(trace.filter((rule) => !rule.fired))).toEqual([]);
    expect(decisionInWords([])).toEqual([]);
  });

  it('when a keyword list is long and nothing is recorded as matched, then the sentence quotes the first four and the count', () => {
    const [reason] = decisionInWords([
      {
        stage: 'severity',
        rule: 'legal-threat',
        fired: true,
        conditions: {
          any: [
            {
              fact: 'text',
              operator: 'containsAny',
              value: ['a', 'b', 'c', 'd', 'e', 'f'],
              factResult: 'x',
              result: true,
            },
          ],
        },
      },
    ]);
    expect(reason?.sentence).toBe(
      'Rule severity/legal-threat fired because the text contains one of "a", "b", "c", "d", … (6 in all).',
    );
  });
});
