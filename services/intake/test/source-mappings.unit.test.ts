import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadSourceMappings,
  mapSourcePayload,
  readPayloadPath,
  sourceMappingJsonSchema,
  validateSourceMapping,
  type SourceMapping,
} from '@triage/shared/sources';
import fc from 'fast-check';
import { cfpbCsvPath, cfpbToComplaint, readCfpbRecords, type CfpbRecord } from '../../../tools/cfpb-corpus';

const RULES = path.resolve(__dirname, '..', '..', '..', 'rules');
let mappings: Map<string, SourceMapping>;

function mapping(source: string): SourceMapping {
  const found = mappings.get(source);
  if (!found) throw new Error(`no mapping ${source}`);
  return found;
}

beforeAll(async () => {
  const loaded = await loadSourceMappings(path.join(RULES, 'sources'));
  expect(loaded.errors).toEqual([]);
  mappings = loaded.mappings;
});

/**
 * cfpbToComplaint's result as the mapping gives it: empty CSV cells left out rather than "",
 * and no `source` (a webhook's source is the :source of its URL).
 */
function expectedFromCorpus(record: CfpbRecord): unknown {
  const { source: _source, ...complaint } = cfpbToComplaint(record);
  return JSON.parse(JSON.stringify(complaint, (_key, v: unknown) => (v === '' ? undefined : v)));
}

const cfpbRecord = (overrides: CfpbRecord = {}): CfpbRecord => ({
  'Date received': '2023-08-25',
  Product: 'Credit card',
  'Sub-product': 'General-purpose credit card',
  Issue: 'Problem with a purchase shown on your statement',
  'Sub-issue': "Credit card company isn't resolving a dispute",
  'Consumer complaint narrative': '  I was charged twice and nobody answers.  ',
  Company: 'BIG BANK',
  State: 'TX',
  Tags: 'Older American, Servicemember',
  'Submitted via': 'Postal mail',
  'Complaint ID': '7523056',
  ...overrides,
});

describe('source mapping files (rules/sources)', () => {
  it('when the files are loaded, then generic-crm and cfpb are there and each names the JSON Schema', () => {
    expect([...mappings.keys()].sort()).toEqual(['cfpb', 'generic-crm']);
    for (const source of mappings.keys()) {
      const raw = JSON.parse(readFileSync(path.join(RULES, 'sources', `${source}.json`), 'utf8'));
      expect(raw.$schema).toBe('../schema/source-mapping.schema.json');
    }
  });

  it('when the JSON Schema is generated from the zod schema, then it equals the committed file', () => {
    const committed = JSON.parse(
      readFileSync(path.join(RULES, 'schema', 'source-mapping.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(sourceMappingJsonSchema());
  });
});

describe('the cfpb mapping', () => {
  it('when a CFPB record is mapped, then it means what cfpbToComplaint says', () => {
    const record = cfpbRecord();
    const mapped = mapSourcePayload(mapping('cfpb'), record);
    expect(mapped).toEqual({ ok: true, complaint: expectedFromCorpus(record) });
    expect(mapped.ok && mapped.complaint).toMatchObject({
      externalId: '7523056',
      customer: { id: 'cfpb-consumer-7523056', tier: 'standard' },
      channel: 'letter',
      body: 'I was charged twice and nobody answers.',
      occurredAt: '2023-08-25T12:00:00.000Z',
      metadata: { tags: ['older-american', 'servicemember'] },
    });
  });

  it.each([
    [
      'no narrative',
      { 'Consumer complaint narrative': '' },
      "Problem with a purchase shown on your statement: Credit card company isn't resolving a dispute",
    ],
    [
      'no narrative nor sub-issue',
      { 'Consumer complaint narrative': '', 'Sub-issue': '' },
      'Problem with a purchase shown on your statement',
    ],
    ['nothing to say', { 'Consumer complaint narrative': '', 'Sub-issue': '', Issue: '' }, '(no narrative)'],
  ])('when a record has %s, then the body falls back like cfpbToComplaint', (_case, overrides, body) => {
    const record = cfpbRecord(overrides);
    const mapped = mapSourcePayload(mapping('cfpb'), record);
    expect(mapped.ok && mapped.complaint.body).toBe(body);
    expect(mapped).toEqual({ ok: true, complaint: expectedFromCorpus(record) });
  });

  it('when a record came in through an unknown channel and has no tags, then channel is other and tags are empty', () => {
    const mapped = mapSourcePayload(
      mapping('cfpb'),
      cfpbRecord({ 'Submitted via': 'Carrier pigeon', Tags: '' }),
    );
    expect(mapped.ok && mapped.complaint).toMatchObject({ channel: 'other', metadata: { tags: [] } });
  });

  const csv = cfpbCsvPath();
  (csv ? it : it.skip)(
    `when every record of the CFPB sample is mapped, then each equals cfpbToComplaint (${csv ?? 'no CSV: did not run'})`,
    () => {
      const records = readCfpbRecords(csv!);
      expect(records.length).toBeGreaterThan(100);
      for (const record of records) {
        expect(mapSourcePayload(mapping('cfpb'), record)).toEqual({
          ok: true,
          complaint: expectedFromCorpus(record),
        });
      }
    },
  );
});

describe('the generic-crm mapping', () => {
  const ticket = {
    id: 1001,
    customer: { id: 'c-1', name: 'Wang Fang', email: 'wang@example.cn', tier: 'Gold' },
    channel: 'WeChat',
    priority: 'P1',
    title: '信用卡重复扣费',
    description: '信用卡被重复扣费两次。',
    language: 'zh-CN',
    createdAt: '2024-05-01T09:30:00+08:00',
    tags: 'Repeat Caller, media',
    ignoredByTheMapping: { anything: true },
  };

  it('when a typical ticket is mapped, then names, fallbacks and value maps apply and unnamed fields are ignored', () => {
    expect(mapSourcePayload(mapping('generic-crm'), ticket)).toEqual({
      ok: true,
      complaint: {
        externalId: '1001',
        customer: { id: 'c-1', name: 'Wang Fang', email: 'wang@example.cn', tier: 'gold' },
        channel: 'chat',
        subject: '信用卡重复扣费',
        body: '信用卡被重复扣费两次。',
        language: 'zh-CN',
        occurredAt: '2024-05-01T01:30:00.000Z',
        metadata: { crmPriority: 'urgent', tags: ['repeat-caller', 'media'] },
      },
    });
  });

  it('when the CRM uses names the maps do not list, then channel is other, tier standard, priority normal', () => {
    const mapped = mapSourcePayload(mapping('generic-crm'), {
      ...ticket,
      channel: 'Telepathy',
      customer: { id: 'c-2', tier: 'Diamond' },
      priority: 'whenever',
    });
    expect(mapped.ok && mapped.complaint).toMatchObject({
      channel: 'other',
      customer: { id: 'c-2', tier: 'standard' },
      metadata: { crmPriority: 'normal' },
    });
  });

  it('when fields are missing or malformed, then every error names the complaint field and the payload path', () => {
    const mapped = mapSourcePayload(mapping('generic-crm'), {
      id: 'T-9',
      customer: { email: 'not-an-email' },
      createdAt: 'yesterday',
      description: '',
    });
    expect(mapped.ok).toBe(false);
    expect(!mapped.ok && mapped.errors).toEqual([
      {
        path: '/occurredAt',
        message: '"yesterday" is not an ISO 8601 time with a time zone',
        sourcePath: 'occurredAt | createdAt | created_at',
      },
    ]);
    const withoutDate = mapSourcePayload(mapping('generic-crm'), {
      id: 'T-9',
      customer: { email: 'not-an-email' },
      description: '',
    });
    expect(!withoutDate.ok && withoutDate.errors).toEqual(
      expect.arrayContaining([
        {
          path: '/customer/id',
          message: 'no value in the payload (required)',
          sourcePath: 'customer.id | customerId | customer_id | contact.id | requester.id',
        },
        expect.objectContaining({
          path: '/customer/email',
          sourcePath: 'customer.email | contact.email | requester.email',
        }),
        {
          path: '/body',
          message: 'no value in the payload (required)',
          sourcePath: 'description | body | text | message | comment',
        },
      ]),
    );
  });

  it('when the payload is not an object, then one error says so', () => {
    expect(mapSourcePayload(mapping('generic-crm'), [ticket])).toEqual({
      ok: false,
      errors: [{ path: '/', message: 'the payload must be a JSON object', sourcePath: '(body)' }],
    });
  });
});

describe('mapping rules', () => {
  const base = {
    source: 'test-crm',
    fields: {
      externalId: { path: 'id', as: 'string' },
      'customer.id': { path: 'customer' },
      channel: { const: 'web' },
      body: { path: 'text' },
    },
  };

  it('when a path walks into __proto__ or constructor, then it finds nothing', () => {
    expect(readPayloadPath({}, 'constructor.name')).toBeUndefined();
    expect(readPayloadPath(JSON.parse('{"__proto__":{"x":1}}'), '__proto__.x')).toBe(1);
    expect(readPayloadPath({ a: [{ b: 2 }] }, 'a.0.b')).toBe(2);
    expect(readPayloadPath({ a: [{ b: 2 }] }, 'a.first.b')).toBeUndefined();
  });

  it('when a mapping file is wrong, then every problem is reported with its place in the file', () => {
    const { errors } = validateSourceMapping('/rules/sources/test-crm.json', {
      ...base,
      fields: {
        ...base.fields,
        channel: { path: 'via', map: { Pigeon: 'pigeon' } },
        'customer.tier': { const: 'diamond' },
        subject: { path: 'subject', const: 'x' },
        product: { path: 'product', splitt: ',' },
      },
    });
    expect(errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['/fields/subject', '/fields/product']),
    );
    const semantic = validateSourceMapping('/rules/sources/other-name.json', {
      ...base,
      fields: {
        ...base.fields,
        channel: { path: 'via', map: { Pigeon: 'pigeon' } },
        'customer.tier': { const: 'diamond' },
        product: { path: 'products', split: ',' },
      },
    });
    expect(semantic.errors.map((error) => error.path).sort()).toEqual([
      '/fields/channel/map/Pigeon',
      '/fields/customer.tier/const',
      '/fields/product/split',
      '/source',
    ]);
  });

  it('when a required field is not mapped, then the file is rejected', () => {
    const { errors } = validateSourceMapping('/rules/sources/test-crm.json', {
      source: 'test-crm',
      fields: { 'customer.id': { path: 'c' }, channel: { const: 'web' }, body: { path: 'b' } },
    });
    expect(errors).toEqual([expect.objectContaining({ path: '/fields/externalId' })]);
  });

  it('when dates come as unix seconds, unix ms or date-only, then they become ISO UTC times', () => {
    const parsed = validateSourceMapping('/x/test-crm.json', {
      ...base,
      metadata: {
        s: { path: 's', date: 'unix-seconds' },
        ms: { path: 'ms', date: 'unix-ms' },
        d: { path: 'd', date: 'date-only' },
      },
    });
    expect(parsed.errors).toEqual([]);
    const mapped = mapSourcePayload(parsed.mapping!, {
      id: 7,
      customer: 'c',
      text: 'hi',
      s: '1700000000',
      ms: 1700000000000,
      d: '2024-02-29',
    });
    expect(mapped.ok && mapped.complaint.metadata).toEqual({
      s: '2023-11-14T22:13:20.000Z',
      ms: '2023-11-14T22:13:20.000Z',
      d: '2024-02-29T12:00:00.000Z',
    });
  });

  it('when any JSON payload is mapped with the shipped mappings, then the mapper answers and never throws', () => {
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          id: fc.jsonValue(),
          customer: fc.oneof(
            fc.jsonValue(),
            fc.record({ id: fc.jsonValue(), email: fc.jsonValue(), tier: fc.jsonValue() }),
          ),
          channel: fc.jsonValue(),
          description: fc.jsonValue(),
          createdAt: fc.jsonValue(),
          tags: fc.jsonValue(),
          'Complaint ID': fc.jsonValue(),
          'Submitted via': fc.jsonValue(),
          'Date received': fc.jsonValue(),
          Tags: fc.jsonValue(),
          Issue: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(payload, (value) => {
        for (const source of mappings.keys()) {
          const outcome = mapSourcePayload(mapping(source), value);
          if (!outcome.ok) expect(outcome.errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
