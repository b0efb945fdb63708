import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook signature, in both directions. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Triage-Signature';

/** Five minutes, as Stripe and GitHub do: long enough for clock skew, short enough to stop replays. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * The signature of one delivery: hex HMAC-SHA256, with `secret`, of `"<timestamp>.<raw body>"`.
 * The timestamp is inside the MAC so a captured delivery cannot be replayed later with a new one.
 */
export function computeWebhookSignature(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * What identifies one signed delivery: a SHA-256 of exactly what its signature covers,
 * `"<timestamp>.<raw body>"`. Not the header itself: a header may carry several `v1=` values
 * (one per secret while rotating), so one delivery can be sent with different headers, but never
 * with different signed content. The receiver's replay cache is keyed by it.
 */
export function webhookDeliveryId(timestamp: number, rawBody: Buffer | string): string {
  return createHash('sha256').update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * The `X-Triage-Signature` value for a delivery: `t=<unix seconds>,v1=<hex>`. Pass several
 * secrets while rotating; the receiver accepts the delivery when any `v1` matches any of its secrets.
 */
export function signWebhook(
  secrets: string | readonly string[],
  rawBody: Buffer | string,
  now: Date = new Date(),
): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return [
    `t=${timestamp}`,
    ...list.map((secret) => `v1=${computeWebhookSignature(secret, timestamp, rawBody)}`),
  ].join(',');
}

export interface ParsedWebhookSignature {
  timestamp: number;
  /** Every `v1=` value, lower-cased; unknown schemes (`v0=`, `v2=`) are ignored. */
  signatures: string[];
}

/** Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; undefined when the header is malformed. */
export function parseWebhookSignature(header: string): ParsedWebhookSignature | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return undefined;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined;
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

export type WebhookSignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export type WebhookVerification =
  { ok: true; timestamp: number } | { ok: false; reason: WebhookSignatureFailure; detail: string };

export interface VerifyWebhookOptions {
  /** The header value as received (undefined when the header is absent). */
  header: string | undefined;
  /** The body bytes exactly as received, before any parsing. */
  rawBody: Buffer;
  /** Every secret currently valid for the source (more than one while rotating). */
  secrets: readonly string[];
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Checks a delivery's signature. Every candidate signature is compared with every secret in
 * constant time (no early exit on the first differing byte), so timing reveals nothing about
 * a secret. A timestamp further than `toleranceSeconds` from `now`, in either direction, is stale.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const { header, rawBody, secrets } = options;
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', detail: `The ${WEBHOOK_SIGNATURE_HEADER} header is missing.` };
  }
  const parsed = parseWebhookSignature(header);
  if (!parsed) {
    return {
      ok: false,
      reason: 'malformed',
      detail: `The ${WEBHOOK_SIGNATURE_HEADER} header is not t=<unix seconds>,v1=<hex HMAC-SHA256>.`,
    };
  }
  if (Math.abs(nowSeconds - parsed.timestamp) > tolerance) {
    return {
      ok: false,
      reason: 'stale',
      detail: `The signature timestamp is more than ${tolerance} s away from the server's clock.`,
    };
  }
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeWebhookSignature(secret, parsed.timestamp, rawBody), 'hex');
    for (const candidate of parsed.signatures) {
      // Both are 32 bytes (the header parser only admits 64 hex digits), as timingSafeEqual requires.
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
    }
  }
  if (!matched) {
    return {
      ok: false,
      reason: 'mismatch',
      detail: 'The signature does not match the body with any secret of this source.',
    };
  }
  return { ok: true, timestamp: parsed.timestamp };
}
