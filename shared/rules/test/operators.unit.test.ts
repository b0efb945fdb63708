import fc from 'fast-check';
import { Engine, type RuleProperties } from 'json-rules-engine';
import {
  checkRegexSafety,
  compileKeywordMatcher,
  customOperators,
  customOperatorsAt,
  knownOperators,
  nfkcLowerCase,
  regexInputCap,
  registerOperators,
  validateOperatorValue,
} from '../src/index';

/** json-rules-engine's Operator has `evaluate` at run time; its type declarations leave it out. */
interface EvaluableOperator {
  name: string;
  evaluate(factValue: unknown, compareToValue: unknown): boolean;
}

/** The now the operators below are evaluated at (epoch ms); the time tests fix it. */
let evaluationNow: () => number = Date.now;
const engineOperators = customOperatorsAt(() => evaluationNow());

function evaluate(operator: string, fact: unknown, value: unknown): boolean {
  const found = (engineOperators as unknown as EvaluableOperator[]).find(
    (candidate) => candidate.name === operator,
  );
  if (!found) throw new Error(`no operator ${operator}`);
  return found.evaluate(fact, value);
}

const HOUR_MS = 3_600_000;

describe('containsAny and containsAll', () => {
  const regulatorKeywords = ['银保监会', '12315', 'CFPB', 'attorney general', 'lawsuit', 'sue'];

  test('when a Chinese complaint names the regulator without spaces, then containsAny finds it', () => {
    expect(evaluate('containsAny', '我要向银保监会投诉', regulatorKeywords)).toBe(true);
    expect(evaluate('containsAny', '我要向银保监会投诉', ['证监会', '消协'])).toBe(false);
  });

  test('when a digit keyword touches Chinese characters, then it matches because CJK is a boundary', () => {
    expect(evaluate('containsAny', '我已经打了12315投诉', ['12315'])).toBe(true);
    expect(evaluate('containsAny', '再不处理我就打12315热线', ['12315'])).toBe(true);
  });

  test('when a digit keyword sits inside a longer number, then it does not match', () => {
    expect(evaluate('containsAny', '订单号 123150 已退款', ['12315'])).toBe(false);
    expect(evaluate('containsAny', 'ref A12315', ['12315'])).toBe(false);
  });

  test('when an English keyword differs in case or touches punctuation, then it matches', () => {
    expect(evaluate('containsAny', 'Lawsuit! I mean it.', ['lawsuit'])).toBe(true);
    expect(evaluate('containsAny', 'I am preparing a lawsuit.', ['lawsuit'])).toBe(true);
    expect(evaluate('containsAny', 'I will SUE you', ['sue'])).toBe(true);
    expect(evaluate('containsAny', '(CFPB)', ['cfpb'])).toBe(true);
  });

  test('when a keyword only appears inside a longer word, then it does not match', () => {
    expect(evaluate('containsAny', 'This is an issue with my tissue order', ['sue'])).toBe(false);
    expect(evaluate('containsAny', 'code XCFPBY', ['CFPB'])).toBe(false);
    expect(evaluate('containsAny', 'two lawsuits pending', ['lawsuit'])).toBe(false);
  });

  test('when a multi-word keyword is split by any whitespace, then it still matches', () => {
    expect(evaluate('containsAny', 'I will contact the attorney general', regulatorKeywords)).toBe(true);
    expect(evaluate('containsAny', 'writing to the Attorney\n   General today', ['attorney general'])).toBe(
      true,
    );
    expect(evaluate('containsAny', 'the attorney-general', ['attorney general'])).toBe(false);
    expect(evaluate('containsAny', 'attorneygeneral', ['attorney general'])).toBe(false);
  });

  test('when text or keyword is full-width, then NFKC makes it match the ASCII form', () => {
    expect(evaluate('containsAny', '已向ＣＦＰＢ投诉', ['cfpb'])).toBe(true);
    expect(evaluate('containsAny', '打了１２３１５', ['12315'])).toBe(true);
    expect(evaluate('containsAny', 'I filed with the CFPB', ['ＣＦＰＢ'])).toBe(true);
    expect(nfkcLowerCase('ＣＦＰＢ　Ａｔｔｏｒｎｅｙ')).toBe('cfpb attorney');
  });

  test('when keywords contain regular-expression characters, then they match literally', () => {
    expect(evaluate('containsAny', 'I write C++ daily', ['c++'])).toBe(true);
    expect(evaluate('containsAny', 'abc++', ['c++'])).toBe(false);
    expect(evaluate('containsAny', 'charged $100 twice', ['$100'])).toBe(true);
    expect(evaluate('containsAny', 'axb', ['a.b'])).toBe(false);
  });

  test('when containsAll is used, then every keyword must occur, in either language', () => {
    const keywords = ['催收', 'harass'];
    expect(evaluate('containsAll', '暴力催收, they harass my family', keywords)).toBe(true);
    expect(evaluate('containsAll', '暴力催收', keywords)).toBe(false);
    expect(evaluate('containsAll', 'they harass me', keywords)).toBe(false);
  });

  test('when the fact is not a string, then both operators are false and do not throw', () => {
    for (const fact of [undefined, null, 42, true, ['12315'], { text: '12315' }]) {
      expect(evaluate('containsAny', fact, ['12315'])).toBe(false);
      expect(evaluate('containsAll', fact, ['12315'])).toBe(false);
    }
  });

  test('when the value is malformed at run time, then the operators are false', () => {
    for (const value of [undefined, null, '12315', [], [12315], ['12315', null], { 0: '12315' }]) {
      expect(evaluate('containsAny', '12315', value)).toBe(false);
      expect(evaluate('containsAll', '12315', value)).toBe(false);
    }
  });

  test('when the matcher reports hits, then it lists the keywords as written, in list order, once', () => {
    const matcher = compileKeywordMatcher(['Lawsuit', '银保监会', 'sue', 'lawsuit', 'Lawsuit']);
    expect(matcher.matches('已向银保监会反映, LAWSUIT next')).toEqual(['Lawsuit', '银保监会', 'lawsuit']);
    expect(matcher.matches('nothing here')).toEqual([]);
    expect(matcher.any('nothing here')).toBe(false);
  });

  test('when a keyword is blank, then it never matches and makes containsAll false', () => {
    const matcher = compileKeywordMatcher(['  ', 'fraud']);
    expect(matcher.any('fraud')).toBe(true);
    expect(matcher.all('fraud')).toBe(false);
    expect(matcher.matches('fraud')).toEqual(['fraud']);
    expect(compileKeywordMatcher([]).any('x')).toBe(false);
    expect(compileKeywordMatcher([]).all('x')).toBe(false);
  });

  test('when the same rule value is evaluated many times, then results stay consistent', () => {
    const keywords = ['诈骗', 'scam', 'not my account'];
    const texts = ['这是诈骗', 'a SCAM!', 'Not  my\taccount', 'scampi', ''];
    const expected = [true, true, true, false, false];
    for (let round = 0; round < 200; round += 1) {
      texts.forEach((text, index) => expect(evaluate('containsAny', text, keywords)).toBe(expected[index]));
    }
    // A fresh array with the same content takes the string-keyed cache path.
    expect(evaluate('containsAny', '这是诈骗', [...keywords])).toBe(true);
  });
});

describe('keyword matching properties', () => {
  const keywordChars = ['a', 'B', 'z', '1', '9', '-', '.', '$', '投', '诉', '银', 'Ｃ', '１', ' '];
  const textChars = [...keywordChars, '\t', '\n', 'x'];
  const keywordArb = fc
    .string({ unit: fc.constantFrom(...keywordChars), minLength: 1, maxLength: 8 })
    .filter((keyword) => keyword.trim().length > 0);
  const textArb = fc.string({ unit: fc.constantFrom(...textChars), maxLength: 20 });

  /** Reference: collapse whitespace, then scan every occurrence and check the ASCII edges. */
  function naiveContains(text: string, keyword: string): boolean {
    const haystack = nfkcLowerCase(text).replace(/\s+/gu, ' ');
    const needle = nfkcLowerCase(keyword).trim().split(/\s+/u).join(' ');
    if (needle === '') return false;
    const alnum = (char: string | undefined) => char !== undefined && /^[a-z0-9]$/.test(char);
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      if (alnum(needle[0]) && alnum(haystack[at - 1])) continue;
      if (alnum(needle[needle.length - 1]) && alnum(haystack[at + needle.length])) continue;
      return true;
    }
    return false;
  }

  test('when a keyword is embedded with spaces around it, then containsAny always finds it', () => {
    fc.assert(
      fc.property(textArb, keywordArb, textArb, (before, keyword, after) => {
        const text = `${before} ${keyword} ${after}`;
        expect(evaluate('containsAny', text, [keyword])).toBe(true);
        expect(compileKeywordMatcher([keyword]).matches(text)).toEqual([keyword]);
      }),
      { numRuns: 500 },
    );
  });

  test('when random texts and keyword lists are matched, then the compiled matcher agrees with a naive scan', () => {
    fc.assert(
      fc.property(
        textArb,
        fc.array(fc.string({ unit: fc.constantFrom(...keywordChars), maxLength: 4 }), { maxLength: 4 }),
        (text, keywords) => {
          const matcher = compileKeywordMatcher(keywords);
          const hits = keywords.map((keyword) => naiveContains(text, keyword));
          expect(matcher.any(text)).toBe(hits.some(Boolean));
          expect(matcher.all(text)).toBe(hits.length > 0 && hits.every(Boolean));
          expect(matcher.matches(text)).toEqual([...new Set(keywords.filter((_, index) => hits[index]))]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('matchesRegex', () => {
  test('when a pattern in the safe subset matches, then the operator is true', () => {
    expect(
      evaluate('matchesRegex', 'I want a Chargeback now', {
        pattern: '\\b(refund|chargeback)s?\\b',
        flags: 'i',
      }),
    ).toBe(true);
    expect(evaluate('matchesRegex', '我的电话是13812345678', '1[3-9]\\d{9}')).toBe(true);
    expect(evaluate('matchesRegex', 'hello 你好', { pattern: '\\p{Script=Han}', flags: 'u' })).toBe(true);
    expect(evaluate('matchesRegex', 'hello', { pattern: '\\p{Script=Han}', flags: 'u' })).toBe(false);
    expect(evaluate('matchesRegex', 'zh-CN', '^zh')).toBe(true);
  });

  test('when the text has full-width digits, then it is NFKC-normalised before matching', () => {
    expect(evaluate('matchesRegex', '电话１３８１２３４５６７８', '1[3-9]\\d{9}')).toBe(true);
  });

  test('when the text is longer than the cap, then only its beginning is searched', () => {
    const text = 'a'.repeat(regexInputCap) + ' lawyer';
    expect(evaluate('matchesRegex', text, 'lawyer')).toBe(false);
    expect(evaluate('matchesRegex', `lawyer ${text}`, 'lawyer')).toBe(true);
  });

  test('when the fact is not a string or the value is malformed, then the operator is false', () => {
    expect(evaluate('matchesRegex', undefined, 'a')).toBe(false);
    expect(evaluate('matchesRegex', 42, '4')).toBe(false);
    expect(evaluate('matchesRegex', 'a', 42)).toBe(false);
    expect(evaluate('matchesRegex', 'a', { pattern: 'a', flags: 'g' })).toBe(false);
    expect(evaluate('matchesRegex', 'a', { pattern: 'a', extra: true })).toBe(false);
  });

  test.each([
    ['(a+)+', 'nested quantifier'],
    ['(a|aa)*', 'alternatives of a repeated group overlap'],
    ['(ab|a)+c', 'alternatives of a repeated group overlap'],
    ['(.*a){3}', 'nested quantifier'],
    ['(\\w+\\s?)*$', 'nested quantifier'],
    ['(a*)*', 'can match empty text'],
    ['(?:)+', 'can match empty text'],
    ['(a)\\1', 'backreferences'],
    ['(?<word>a)\\k<word>', 'backreferences'],
    ['(?=a)b', 'lookahead'],
    ['(?!a)b', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['(?<!a)b', 'lookbehind'],
    ['\\s*#?\\s*\\d', 'can match the same text'],
    ['.*refund.*lawyer', 'can match the same text'],
    ['a?a?a?aaa', 'can match the same text'],
    ['(a|a)(a|a)(a|a)', 'can match the same text'],
    ['\\d+\\d+', 'can match the same text'],
    ['x'.repeat(501), 'at most 500'],
    ['\\Aabc\\z', 'unsupported escape'],
    ['a{1,5000}', 'above 1000'],
    ['a{', 'must be escaped'],
    ['(', 'invalid regular expression'],
    ['', 'empty'],
  ])('when the pattern is %j, then it is rejected (%s)', (pattern, reason) => {
    expect(checkRegexSafety(pattern)).toContain(reason);
    expect(validateOperatorValue('matchesRegex', pattern)).toMatch(/^matchesRegex /);
  });

  test.each(['g', 'y', 'x', 'd', 'ii'])('when the flags are %j, then the pattern is rejected', (flags) => {
    expect(validateOperatorValue('matchesRegex', { pattern: 'a', flags })).toMatch(/flag/);
  });

  test.each([
    ['\\b(refund|chargeback)s?\\b', 'i'],
    ['1[3-9]\\d{9}', ''],
    ['(?:\\+?86)?1[3-9]\\d{9}', ''],
    ['refund.*lawyer', 'i'],
    ['[\\w.+-]+@[\\w-]+\\.[\\w.]+', ''],
    ['\\p{Script=Han}', 'u'],
    ['^zh', ''],
    ['(?:refund|return)(?:ed|s)?', ''],
    ['order\\s*#?\\d+', 'i'],
    ['\\d{3}-?\\d{4}', ''],
    ['(?:ab|cd)+e', ''],
    ['银保监会|12315|消协', ''],
    ['[a-z]+\\s*\\d', 'iu'],
    ['(?<phone>1\\d{10})', ''],
  ])('when the pattern is %j with flags %j, then it is accepted', (pattern, flags) => {
    expect(checkRegexSafety(pattern, flags)).toBeUndefined();
    expect(validateOperatorValue('matchesRegex', { pattern, flags })).toBeUndefined();
  });

  test('when a rejected pattern reaches the operator anyway, then it is false without running', () => {
    expect(evaluate('matchesRegex', `${'a'.repeat(40)}!`, '(a+)+$')).toBe(false);
    expect(evaluate('matchesRegex', 'aaaa', '(a+)+')).toBe(false);
  });

  test('when pathological-looking input meets accepted patterns, then evaluation completes', () => {
    expect(evaluate('matchesRegex', '1'.repeat(100_000), '\\d+x')).toBe(false);
    expect(evaluate('matchesRegex', 'a'.repeat(100_000), '[\\w.+-]+@[\\w-]+\\.[\\w.]+')).toBe(false);
    expect(evaluate('matchesRegex', 'refund '.repeat(20_000), 'refund.*lawyer')).toBe(false);
    expect(evaluate('matchesRegex', ' '.repeat(100_000), 'order\\s*#?\\d+')).toBe(false);
    expect(evaluate('matchesRegex', 'ab'.repeat(50_000), '(?:ab|cd)+e')).toBe(false);
    expect(evaluate('matchesRegex', 'a'.repeat(100_000), '.\\w+@')).toBe(false);
  });

  test('when start positions inside a run are skipped, then results equal the plain RegExp', () => {
    const patterns = ['\\d+x', '.\\w+@', '[a-z]+\\d', 'ab*c', '(?:x\\d+)y', '\\w*?b', 'a[ab]+b\\b', '\\s+$'];
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'x', 'y', '1', '@', ' ', '\n'), maxLength: 16 });
    for (const pattern of patterns) expect(checkRegexSafety(pattern)).toBeUndefined();
    fc.assert(
      fc.property(fc.constantFrom(...patterns), text, (pattern, input) => {
        expect(evaluate('matchesRegex', input, pattern)).toBe(new RegExp(pattern).test(input));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('time operators', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z');
  beforeEach(() => {
    evaluationNow = () => now;
  });
  afterEach(() => {
    evaluationNow = Date.now;
  });

  test('when the instant is inside the window, then withinHours is true and olderThanHours false', () => {
    const twoHoursAgo = new Date(now - 2 * HOUR_MS);
    for (const fact of [
      twoHoursAgo.toISOString(),
      twoHoursAgo,
      twoHoursAgo.getTime(),
      '2026-03-01T19:00:00+08:00',
    ]) {
      expect(evaluate('withinHours', fact, 24)).toBe(true);
      expect(evaluate('olderThanHours', fact, 24)).toBe(false);
    }
  });

  test('when the instant is before the window, then olderThanHours is true and withinHours false', () => {
    const fact = new Date(now - 30 * HOUR_MS).toISOString();
    expect(evaluate('withinHours', fact, 24)).toBe(false);
    expect(evaluate('olderThanHours', fact, 24)).toBe(true);
    expect(evaluate('olderThanHours', '2026-02-27', 24)).toBe(true);
  });

  test('when the instant is exactly N hours old, then it is within N hours and not older', () => {
    const fact = now - 24 * HOUR_MS;
    expect(evaluate('withinHours', fact, 24)).toBe(true);
    expect(evaluate('olderThanHours', fact, 24)).toBe(false);
  });

  test('when the instant is slightly in the future (clock skew), then it counts as within', () => {
    const fact = new Date(now + 60_000).toISOString();
    expect(evaluate('withinHours', fact, 1)).toBe(true);
    expect(evaluate('olderThanHours', fact, 1)).toBe(false);
  });

  test('when the operators are given Date.now as their clock, then they read the current time', () => {
    evaluationNow = Date.now;
    expect(evaluate('withinHours', new Date().toISOString(), 1)).toBe(true);
  });

  test('when the fact is not a usable instant, then both operators are false', () => {
    const facts = [
      'yesterday',
      '2026-03-01T10:00:00',
      '03/01/2026',
      Number.NaN,
      Infinity,
      undefined,
      null,
      {},
      new Date('x'),
    ];
    for (const fact of facts) {
      expect(evaluate('withinHours', fact, 24)).toBe(false);
      expect(evaluate('olderThanHours', fact, 24)).toBe(false);
    }
  });

  test('when the hours value is not positive, then both operators are false', () => {
    for (const value of [0, -1, '24', Number.NaN, undefined]) {
      expect(evaluate('withinHours', now, value)).toBe(false);
      expect(evaluate('olderThanHours', now - 48 * HOUR_MS, value)).toBe(false);
    }
  });

  test('when the range does not wrap, then betweenHours is from-inclusive and to-exclusive', () => {
    expect([8, 9, 12, 17, 17.5, 18].map((hour) => evaluate('betweenHours', hour, [9, 18]))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(evaluate('betweenHours', 23, [18, 24])).toBe(true);
  });

  test('when from is after to, then betweenHours wraps around midnight', () => {
    expect([21, 22, 23, 0, 5, 6, 12].map((hour) => evaluate('betweenHours', hour, [22, 6]))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  test('when the hour or the range is invalid, then betweenHours is false', () => {
    for (const fact of [24, -1, '10', undefined, Number.NaN])
      expect(evaluate('betweenHours', fact, [0, 24])).toBe(false);
    for (const value of [[9], [9, 9], [9.5, 18], [-1, 5], [0, 25], '9-18']) {
      expect(evaluate('betweenHours', 10, value)).toBe(false);
    }
  });
});

describe('lengthGreaterThan', () => {
  test('when text is measured, then it counts code points, not UTF-16 units', () => {
    expect(evaluate('lengthGreaterThan', '😀😀😀', 3)).toBe(false);
    expect(evaluate('lengthGreaterThan', '😀😀😀', 2)).toBe(true);
    expect(evaluate('lengthGreaterThan', '投诉', 1)).toBe(true);
    expect(evaluate('lengthGreaterThan', '投诉', 2)).toBe(false);
    expect(evaluate('lengthGreaterThan', '', 0)).toBe(false);
  });

  test('when the fact is not a string or the value is not a count, then it is false', () => {
    expect(evaluate('lengthGreaterThan', 12345, 1)).toBe(false);
    expect(evaluate('lengthGreaterThan', undefined, 0)).toBe(false);
    expect(evaluate('lengthGreaterThan', 'abc', -1)).toBe(false);
    expect(evaluate('lengthGreaterThan', 'abc', 1.5)).toBe(false);
  });
});

describe('validateOperatorValue', () => {
  test.each([
    ['containsAny', ['投诉', 'lawsuit']],
    ['containsAll', ['12315']],
    ['matchesRegex', '^zh'],
    ['matchesRegex', { pattern: '\\p{Script=Han}', flags: 'u' }],
    ['withinHours', 24],
    ['olderThanHours', 0.5],
    ['betweenHours', [22, 6]],
    ['betweenHours', [0, 24]],
    ['lengthGreaterThan', 0],
    ['equal', 'anything'],
    ['in', ['a', 'b']],
    ['greaterThanInclusive', 3],
    ['contains', 'vip'],
    ['not:containsAny', ['scam']],
    ['someValue:matchesRegex', ['^zh', '^en']],
    ['containsAny', { fact: 'keywordsFromConfig' }],
  ])('when %s gets %j, then the value is accepted', (operator, value) => {
    expect(validateOperatorValue(operator, value)).toBeUndefined();
  });

  test.each([
    ['containsAny', [], 'containsAny expects a non-empty array of keywords'],
    ['containsAny', 'lawsuit', 'containsAny expects a non-empty array of keywords'],
    ['containsAll', ['ok', ' '], 'containsAll expects non-empty keyword strings (item 1 is " ")'],
    ['containsAny', ['ok', 3], 'containsAny expects non-empty keyword strings (item 1 is 3)'],
    ['matchesRegex', 42, 'matchesRegex expects a pattern string or { "pattern": string, "flags"?: string }'],
    ['matchesRegex', { pattern: 'a', flag: 'i' }, 'matchesRegex value has an unknown key "flag"'],
    ['matchesRegex', '(a+)+', 'matchesRegex pattern "(a+)+" rejected: nested quantifier'],
    ['withinHours', 0, 'withinHours expects a positive number of hours'],
    ['olderThanHours', '24', 'olderThanHours expects a positive number of hours'],
    ['betweenHours', [9, 9], 'betweenHours expects [from, to]'],
    ['lengthGreaterThan', -3, 'lengthGreaterThan expects a non-negative integer'],
    ['in', 'a', 'in expects an array'],
    ['lessThan', '5', 'lessThan expects a number'],
    ['someValue:matchesRegex', ['^zh', '(a|aa)*'], 'matchesRegex pattern "(a|aa)*" rejected'],
    ['someValue:containsAny', 'x', 'someValue:containsAny expects a non-empty array of values'],
    ['sometimes:containsAny', ['x'], 'unknown operator "sometimes:containsAny"'],
    ['fuzzyMatch', 'x', 'unknown operator "fuzzyMatch"'],
  ])('when %s gets %j, then the message says %j', (operator, value, message) => {
    expect(validateOperatorValue(operator, value)).toContain(message);
  });

  test('when knownOperators is read, then it lists the built-ins and every custom operator', () => {
    const builtIns = [
      'equal',
      'notEqual',
      'lessThan',
      'lessThanInclusive',
      'greaterThan',
      'greaterThanInclusive',
    ];
    for (const name of [...builtIns, 'in', 'notIn', 'contains', 'doesNotContain'])
      expect(knownOperators.has(name)).toBe(true);
    const custom = customOperators.map((operator) => operator.name);
    expect(custom).toEqual([
      'containsAny',
      'containsAll',
      'matchesRegex',
      'withinHours',
      'olderThanHours',
      'betweenHours',
      'lengthGreaterThan',
    ]);
    for (const name of custom) {
      expect(knownOperators.has(name)).toBe(true);
      expect(validateOperatorValue(name, undefined)).toContain(name);
    }
  });
});

describe('with a real json-rules-engine Engine', () => {
  const escalationRule: RuleProperties = {
    name: 'regulator-threat',
    conditions: {
      all: [
        {
          fact: 'text',
          operator: 'containsAny',
          value: ['银保监会', '12315', 'CFPB', 'attorney general', 'sue'],
        },
        { not: { fact: 'text', operator: 'matchesRegex', value: { pattern: '^test\\b', flags: 'i' } } },
        { fact: 'receivedAt', operator: 'withinHours', value: 72 },
        { fact: 'text', operator: 'lengthGreaterThan', value: 5 },
      ],
    },
    event: { type: 'flag', params: { flag: 'regulator-threat' } },
  };

  async function firedFlags(facts: Record<string, unknown>): Promise<string[]> {
    const engine = new Engine([escalationRule]);
    registerOperators(engine, Date.now);
    const { events } = await engine.run(facts);
    return events.map((event) => String(event.params?.flag));
  }

  test('when a Chinese complaint threatens 12315, then the rule fires', async () => {
    await expect(
      firedFlags({ text: '我已经打了12315投诉', receivedAt: new Date().toISOString() }),
    ).resolves.toEqual(['regulator-threat']);
  });

  test('when an English complaint names the attorney general, then the rule fires', async () => {
    const facts = { text: 'I will contact the Attorney General', receivedAt: new Date().toISOString() };
    await expect(firedFlags(facts)).resolves.toEqual(['regulator-threat']);
  });

  test('when the text only contains "issue" or is a test message, then the rule does not fire', async () => {
    const receivedAt = new Date().toISOString();
    await expect(firedFlags({ text: 'There is an issue with my card', receivedAt })).resolves.toEqual([]);
    await expect(firedFlags({ text: 'TEST: I will sue', receivedAt })).resolves.toEqual([]);
  });

  test('when the complaint is old or the text fact is missing, then the rule does not fire', async () => {
    const old = new Date(Date.now() - 100 * HOUR_MS).toISOString();
    await expect(firedFlags({ text: 'I will sue', receivedAt: old })).resolves.toEqual([]);
    await expect(firedFlags({ text: null, receivedAt: new Date().toISOString() })).resolves.toEqual([]);
  });

  test('when a decorator negates a custom operator, then json-rules-engine composes it', async () => {
    const engine = new Engine([
      {
        conditions: { all: [{ fact: 'text', operator: 'not:containsAny', value: ['诈骗', 'scam'] }] },
        event: { type: 'clean' },
      },
    ]);
    registerOperators(engine, Date.now);
    await expect(engine.run({ text: '这是诈骗' }).then((result) => result.events.length)).resolves.toBe(0);
    await expect(
      engine.run({ text: 'a billing question' }).then((result) => result.events.length),
    ).resolves.toBe(1);
  });
});
