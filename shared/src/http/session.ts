import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../kernel';
import type { ApiKeyTable, Principal, Role } from '../kernel';
import { roles } from '../kernel';

/** The cookie that carries a browser session (dashboard, bull-board). */
export const SESSION_COOKIE = 'triage_session';

/** How browser sessions are signed and how long they last. */
export interface SessionSettings {
  /** HMAC-SHA256 key shared by every process that accepts the sessions (SESSION_SECRET). */
  secret: string;
  ttlMs: number;
}

interface SessionClaims {
  r: Role;
  s: string;
  /** Expiry, epoch milliseconds. */
  e: number;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`triage-session.v1.${payload}`).digest('base64url');
}

/**
 * A stateless session token: `v1.<claims>.<HMAC>`, the claims (role, subject, expiry) base64url
 * JSON. Any process with the same secret accepts it, so N routers need no shared session store;
 * it holds no API key.
 */
export function createSessionToken(
  principal: Principal,
  settings: SessionSettings,
  now = new Date(),
): string {
  const claims: SessionClaims = {
    r: principal.role,
    s: principal.subject,
    e: now.getTime() + settings.ttlMs,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `v1.${payload}.${sign(payload, settings.secret)}`;
}

/**
 * The principal of a valid, unexpired token whose role and subject still have a key in `table`
 * (removing a key ends its sessions); undefined otherwise.
 */
export function readSessionToken(
  token: string,
  settings: SessionSettings,
  table: ApiKeyTable,
  now = new Date(),
): { principal: Principal; expiresAt: Date } | undefined {
  const [version, payload, signature, ...rest] = token.split('.');
  if (version !== 'v1' || !payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(payload, settings.secret));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return undefined;
  let claims: Partial<SessionClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<SessionClaims>;
  } catch {
    return undefined;
  }
  if (typeof claims.e !== 'number' || claims.e <= now.getTime()) return undefined;
  if (!(roles as readonly unknown[]).includes(claims.r) || typeof claims.s !== 'string') return undefined;
  const principal = [...table.values()].find(
    (candidate) => candidate.role === claims.r && candidate.subject === claims.s,
  );
  return principal ? { principal, expiresAt: new Date(claims.e) } : undefined;
}

/** `Set-Cookie` for a session: HttpOnly (no script reads it), SameSite=Strict (no cross-site sends). */
export function sessionCookie(token: string, ttlMs: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${Math.floor(ttlMs / 1000)}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that ends the session in the browser. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
}

/** The session cookie's value from a `Cookie` header. */
export function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === SESSION_COOKIE) {
      return part.slice(separator + 1).trim() || undefined;
    }
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF check on a cookie-borne state change: the browser must say the request comes from our
 * own pages (`Sec-Fetch-Site: same-origin`, or an `Origin` with our host). A request that says
 * neither is refused.
 */
export function isSameOriginRequest(req: Request): boolean {
  const fetchSite = req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite === 'same-origin';
  const origin = req.header('origin');
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host === req.header('host');
  } catch {
    return false;
  }
}

/**
 * Accepts the browser session cookie (for requests without an Authorization header): sets
 * `req.sessionPrincipal`, which `requireRole` then uses. A state change (not GET/HEAD/OPTIONS)
 * carried by the cookie must also pass the same-origin check, else 403.
 */
export function browserSession(table: ApiKeyTable, settings: SessionSettings): RequestHandler {
  return (req, _res, next) => {
    if (req.header('authorization')) return next();
    const token = sessionTokenFrom(req.header('cookie'));
    const session = token ? readSessionToken(token, settings, table) : undefined;
    if (!session) return next();
    if (!SAFE_METHODS.has(req.method) && !isSameOriginRequest(req)) {
      return next(
        new ForbiddenError('A cross-site request may not change anything with this session (CSRF check).'),
      );
    }
    req.sessionPrincipal = session.principal;
    next();
  };
}

/** For pages whose changes must come from a signed-in browser (bull-board): a state change needs the session. */
export const sessionRequiredForChanges: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || req.sessionPrincipal) return next();
  next(new ForbiddenError('Changes here need a signed-in browser session (sign in at /dashboard).'));
};
