import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SurveyLinks, SurveyRef } from '../domain/csat';

/**
 * Satisfaction survey links: `<base>/survey/<token>`, the token being the survey (complaint id,
 * resolve round) and its expiry, signed with HMAC-SHA256 under a key derived from the session
 * secret (a token is no session: the prefix keeps the two apart). Stateless, so any router
 * process checks a link any other minted; "single use" is the complaint's guarded update.
 */
export class SurveyTokens implements SurveyLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly baseUrl: string,
    private readonly ttlMs: number,
  ) {
    this.key = createHmac('sha256', secret).update('triage-survey-v1').digest();
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  link(survey: SurveyRef, resolvedAt: Date): { url: string; expiresAt: Date } {
    const expiresAt = new Date(resolvedAt.getTime() + this.ttlMs);
    const body = Buffer.from(
      JSON.stringify({ c: survey.complaintId, r: survey.round, e: expiresAt.getTime() }),
    ).toString('base64url');
    const token = `${body}.${this.sign(body)}`;
    return { url: `${this.baseUrl.replace(/\/$/, '')}/survey/${token}`, expiresAt };
  }

  check(token: string, now: Date): SurveyRef | 'invalid' | 'expired' {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return 'invalid';
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    let claims: { c?: unknown; r?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return 'invalid';
    }
    if (typeof claims.c !== 'string' || typeof claims.r !== 'number' || typeof claims.e !== 'number')
      return 'invalid';
    if (claims.e <= now.getTime()) return 'expired';
    return { complaintId: claims.c, round: claims.r };
  }
}
