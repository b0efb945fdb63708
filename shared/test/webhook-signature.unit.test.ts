import fc from 'fast-check';
import {
  computeWebhookSignature,
  parseWebhookSignature,
  signWebhook,
  verifyWebhookSignature,
} from '../src/http/webhook-signature';

const secret = 'demo-webhook-secret';
const body = Buffer.from('{"id":"T-1001"}');
const now = new Date('2023-11-14T22:13:20Z'); // 1700000000

function verify(
  header: string | undefined,
  overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {},
) {
  return verifyWebhookSignature({ header, rawBody: body, secrets: [secret], now, ...overrides });
}

describe('webhook signature', () => {
  it('when computed, then it equals openssl dgst -sha256 -hmac over "<t>.<body>" (the README example)', () => {
    // printf '%s' '1700000000.{"id":"T-1001"}' | openssl dgst -sha256 -hmac 'demo-webhook-secret' -hex
    expect(computeWebhookSignature(secret, 1700000000, body)).toBe(
      'fdb0a1f64dc5b656aaf43723f0dbcbc58667bad30f5ab4f21d4a830ea7e7abeb',
    );
    expect(signWebhook(secret, body, now)).toBe(
      't=1700000000,v1=fdb0a1f64dc5b656aaf43723f0dbcbc58667bad30f5ab4f21d4a830ea7e7abeb',
    );
  });

  it('when the body, the secret and the time match, then it verifies', () => {
    expect(verify(signWebhook(secret, body, now))).toEqual({ ok: true, timestamp: 1700000000 });
  });

  it('when the header is absent or blank, then the reason is missing', () => {
    expect(verify(undefined)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verify('  ')).toMatchObject({ ok: false, reason: 'missing' });
  });

  it.each([
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no signature', 't=1700000000'],
    ['a short signature', 't=1700000000,v1=abcd'],
    ['a non-hex signature', `t=1700000000,v1=${'z'.repeat(64)}`],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
    ['two timestamps', `t=1700000000,t=1700000001,v1=${'a'.repeat(64)}`],
    ['a part without =', `t=1700000000,v1`],
  ])('when the header has %s, then the reason is malformed', (_case, header) => {
    expect(verify(header)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('when the body was changed after signing, then the reason is mismatch', () => {
    const header = signWebhook(secret, body, now);
    expect(verify(header, { rawBody: Buffer.from('{"id":"T-1002"}') })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('when signed with another secret, then the reason is mismatch', () => {
    expect(verify(signWebhook('another-secret-of-16', body, now))).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('when the timestamp is more than the tolerance away in either direction, then the reason is stale', () => {
    const header = signWebhook(secret, body, now);
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(verify(header, { now: later(300) })).toMatchObject({ ok: true });
    expect(verify(header, { now: later(301) })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verify(header, { now: later(-301) })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verify(header, { now: later(61), toleranceSeconds: 60 })).toMatchObject({
      ok: false,
      reason: 'stale',
    });
  });

  it('when a source has two secrets during a rotation, then a delivery signed with either verifies', () => {
    const secrets = ['old-secret-0000000001', 'new-secret-0000000002'];
    for (const used of secrets) {
      expect(verify(signWebhook(used, body, now), { secrets })).toMatchObject({ ok: true });
    }
    expect(verify(signWebhook('retired-secret-000003', body, now), { secrets })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('when a sender signs with several secrets, then the header carries one v1 each and any match verifies', () => {
    const header = signWebhook(['old-secret-0000000001', 'new-secret-0000000002'], body, now);
    expect(parseWebhookSignature(header)?.signatures).toHaveLength(2);
    expect(verify(header, { secrets: ['new-secret-0000000002'] })).toMatchObject({ ok: true });
  });

  it('when any byte of any body is changed, then a signature that verified before no longer does', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        (bytes, anySecret, position) => {
          const raw = Buffer.from(bytes);
          const header = signWebhook(anySecret, raw, now);
          const ok = verifyWebhookSignature({ header, rawBody: raw, secrets: [anySecret], now });
          const tampered = Buffer.from(raw);
          const index = position % tampered.length;
          tampered[index] = (tampered[index]! + 1) % 256;
          const bad = verifyWebhookSignature({ header, rawBody: tampered, secrets: [anySecret], now });
          return ok.ok && !bad.ok && bad.reason === 'mismatch';
        },
      ),
    );
  });
});
