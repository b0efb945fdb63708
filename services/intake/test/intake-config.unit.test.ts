import { ConfigError } from '@triage/shared/kernel';
import { loadIntakeConfig, parseWebhookSecrets } from '../src/config';
import { metadataProblems } from '../src/domain/storable-metadata';

const required = { MONGO_URL: 'mongodb://127.0.0.1:27017/triage', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('intake configuration', () => {
  it('when a source is listed twice in WEBHOOK_SECRETS, then both secrets are valid for it (rotation)', () => {
    const secrets = parseWebhookSecrets(
      'generic-crm:old-secret-0000000001, generic-crm:new-secret-0000000002,cfpb:secret:with:colons',
    );
    expect(secrets.get('generic-crm')).toEqual(['old-secret-0000000001', 'new-secret-0000000002']);
    expect(secrets.get('cfpb')).toEqual(['secret:with:colons']);
  });

  it.each([
    ['no secret', 'generic-crm'],
    ['a short secret', 'generic-crm:short'],
    ['a bad source name', 'Generic CRM:long-enough-secret-0001'],
  ])('when WEBHOOK_SECRETS has %s, then start-up fails naming WEBHOOK_SECRETS', (_case, raw) => {
    expect(() => loadIntakeConfig({ ...required, WEBHOOK_SECRETS: raw })).toThrow(ConfigError);
    expect(() => loadIntakeConfig({ ...required, WEBHOOK_SECRETS: raw })).toThrow(/WEBHOOK_SECRETS/);
  });

  it('when nothing is set, then the documented defaults apply', () => {
    const config = loadIntakeConfig(required);
    expect(config).toMatchObject({
      BODY_LIMIT: '256kb',
      WEBHOOK_TOLERANCE_SECONDS: 300,
      RATE_LIMIT_WINDOW_MS: 60_000,
      RATE_LIMIT_PER_KEY: 600,
      RATE_LIMIT_PER_SOURCE: 1200,
      SWEEP_INTERVAL_MS: 15_000,
      SWEEP_MIN_AGE_MS: 5_000,
      ENQUEUE_TIMEOUT_MS: 1500,
      MONGO_TIMEOUT_MS: 3000,
    });
    expect(config.WEBHOOK_SECRETS.size).toBe(0);
  });

  it('when several keys are bad, then every one is listed', () => {
    expect(() =>
      loadIntakeConfig({
        ...required,
        RATE_LIMIT_PER_KEY: 'lots',
        SWEEP_INTERVAL_MS: '-1',
        BODY_LIMIT: 'huge',
      }),
    ).toThrow(/RATE_LIMIT_PER_KEY[\s\S]*SWEEP_INTERVAL_MS|SWEEP_INTERVAL_MS[\s\S]*RATE_LIMIT_PER_KEY/);
  });
});

describe('storable metadata', () => {
  it('when metadata is ordinary, then there is no problem', () => {
    expect(metadataProblems({ tags: ['a'], order: { id: 1, 'line.items': [{ sku: 'x' }] } })).toEqual([]);
    expect(metadataProblems(undefined)).toEqual([]);
  });

  it('when keys hold NUL or start with $, or nesting is too deep, then each problem is named by its path', () => {
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 40; level += 1) deep = { next: deep };
    expect(metadataProblems({ 'a\u0000': 1, list: [{ $gt: 1 }], 'a/b': { deep } })).toEqual(
      expect.arrayContaining([
        { path: '/metadata/a\u0000', message: 'a key may not contain NUL' },
        { path: '/metadata/list/0/$gt', message: 'a key may not start with $' },
        expect.objectContaining({ path: expect.stringMatching(/^\/metadata\/a~1b\/deep(\/next)+$/) }),
      ]),
    );
  });
});
