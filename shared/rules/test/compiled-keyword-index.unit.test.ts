import fc from 'fast-check';
import { compileKeywordMatcher } from '../src/operators/keyword-matcher';
import { KeywordIndexBuilder, type KeywordEntry } from '../src/keyword-index';

/** What the index says about a keyword list in a text: any / all, as containsAny / containsAll. */
function indexVerdict(
  keywords: readonly string[],
  text: string,
): { any: boolean; all: boolean } | 'unindexable' {
  const builder = new KeywordIndexBuilder();
  const entries: KeywordEntry[] = keywords.map((keyword) => builder.add(keyword));
  if (entries.some((entry) => entry.kind === 'unindexable')) return 'unindexable';
  const hits = builder.build().scan(text);
  const found = (entry: KeywordEntry) => entry.kind === 'pattern' && hits.has(entry.id);
  return { any: entries.some(found), all: entries.length > 0 && entries.every(found) };
}

function matcherVerdict(keywords: readonly string[], text: string): { any: boolean; all: boolean } {
  const matcher = compileKeywordMatcher(keywords);
  return { any: matcher.any(text), all: matcher.all(text) };
}

// Characters where the operator's rules bite: ASCII word edges, case, CJK, full-width forms,
// every kind of whitespace NFKC keeps or folds, ligatures, dotted İ (lower-cases to two code
// units), ß, surrogate pairs and lone surrogates.
const alphabet = [
  'a',
  'b',
  's',
  'u',
  'e',
  'A',
  'B',
  'S',
  '1',
  '2',
  '0',
  '_',
  '-',
  '.',
  "'",
  ' ',
  '  ',
  '\n',
  '\t',
  '\u3000',
  '\u00a0',
  '\u2003',
  '\ufeff',
  '退',
  '款',
  '律',
  '师',
  'ａ',
  'Ｂ',
  '１',
  'ﬁ',
  'İ',
  'ß',
  'é',
  'K',
  '😀',
  '\ud83d',
  '\ude00',
  '①',
  'ｓｕｅ',
];
const fragment = (maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((parts) => parts.join(''));

describe('keyword index', () => {
  it('when keywords and text are random, then it answers containsAny and containsAll exactly like compileKeywordMatcher', () => {
    fc.assert(
      fc.property(
        fc.array(fragment(4), { minLength: 1, maxLength: 5 }),
        fc.array(fragment(18), { maxLength: 6 }),
        (keywords, texts) => {
          for (const text of texts) {
            const verdict = indexVerdict(keywords, text);
            if (verdict !== 'unindexable') expect(verdict).toEqual(matcherVerdict(keywords, text));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('when subject and body are random, then one scan of the joined text gives what scanning each of the three gives', () => {
    let joined = 0;
    fc.assert(
      fc.property(
        fc.array(fragment(4), { minLength: 1, maxLength: 6 }),
        fragment(12),
        fragment(12),
        (keywords, subject, body) => {
          const builder = new KeywordIndexBuilder();
          for (const keyword of keywords) builder.add(keyword);
          const index = builder.build();
          // The text fact: subject and body joined by a line break, NFKC-normalised.
          const text = `${subject}\n${body}`.normalize('NFKC');
          const sorted = (hits: ReadonlySet<number>) => [...hits].sort((x, y) => x - y);
          const hits = index.scanJoined(text, subject, body);
          if (hits === undefined) return;
          joined += 1;
          expect(sorted(hits.whole)).toEqual(sorted(index.scan(text)));
          expect(sorted(hits.first)).toEqual(sorted(index.scan(subject)));
          expect(sorted(hits.second)).toEqual(sorted(index.scan(body)));
        },
      ),
      { numRuns: 3000 },
    );
    // Lone surrogates aside, a subject and body always share the scan.
    expect(joined).toBeGreaterThan(2000);
  });

  it('when a keyword spans the line break, then it is the text’s but neither the subject’s nor the body’s', () => {
    const builder = new KeywordIndexBuilder();
    const entry = builder.add('refund fee');
    const id = (entry as { id: number }).id;
    const hits = builder.build().scanJoined('no refund\nfee charged', 'no refund', 'fee charged');
    expect(hits && [...hits.whole]).toEqual([id]);
    expect(hits && [...hits.first]).toEqual([]);
    expect(hits && [...hits.second]).toEqual([]);
  });

  it.each([
    [['sue'], 'this is an issue', false],
    [['sue'], 'I will SUE you', true],
    [['cfpb'], 'XCFPBY', false],
    [['CFPB'], 'complained to the ＣＦＰＢ.', true],
    [['12315'], '打12315热线', true],
    [['12315'], '123156', false],
    [['attorney general'], 'the Attorney\n\u3000 General said', true],
    [['attorney general'], 'attorneygeneral', false],
    [['退款'], '要求退款！', true],
    [['lawsuit'], 'Lawsuit!', true],
    [['fi'], 'ﬁle', false],
    [['  '], 'anything', false],
  ])('when the keywords are %j and the text is %j, then a match is %s', (keywords, text, expected) => {
    expect(indexVerdict(keywords, text)).toEqual({ any: expected, all: expected });
    expect(matcherVerdict(keywords, text).any).toBe(expected);
  });

  it('when a keyword has a lone surrogate, then it is left to the operator rather than scanned by code unit', () => {
    expect(new KeywordIndexBuilder().add('a\ud83d')).toEqual({ kind: 'unindexable' });
    expect(new KeywordIndexBuilder().add('😀')).toMatchObject({ kind: 'pattern' });
  });

  it('when one keyword list holds thousands of keywords, then one scan finds each occurrence once', () => {
    const builder = new KeywordIndexBuilder();
    const ids = Array.from({ length: 5000 }, (_, i) => builder.add(`kw${i}`));
    const hits = builder.build().scan('kw1 kw42, kw4999 and kw42 again; kw5000 is not one');
    const idOf = (n: number) => (ids[n] as { id: number }).id;
    expect([...hits].sort((a, b) => a - b)).toEqual([idOf(1), idOf(42), idOf(4999)].sort((a, b) => a - b));
  });
});
