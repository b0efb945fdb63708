import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors';
import type { ApiKeyTable, Principal, Role } from './api-keys';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Finds a key in constant time per candidate so response times do not leak key prefixes. */
function lookup(table: ApiKeyTable, presented: string): Principal | undefined {
  const presentedBuffer = Buffer.from(presented);
  let found: Principal | undefined;
  for (const [key, principal] of table) {
    const keyBuffer = Buffer.from(key);
    if (keyBuffer.length === presentedBuffer.length && timingSafeEqual(keyBuffer, presentedBuffer)) {
      found = principal;
    }
  }
  return found;
}

/** The key from `Bearer <key>`, or (for browser pages) the password of `Basic base64(user:key)`. */
function presentedKey(header: string, allowBasic: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = allowBasic ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const key = decoded.slice(decoded.indexOf(':') + 1);
  return key || undefined;
}

/** Requires `Authorization: Bearer <key>` with one of `roles`. */
export function requireRole(table: ApiKeyTable, ...allowed: Role[]): RequestHandler {
  return authenticate(table, allowed, false);
}

/**
 * The same for pages a person opens in a browser (bull-board): HTTP Basic is accepted too,
 * with the API key as the password, and a 401 asks the browser to prompt for it.
 */
export function requireRoleForBrowser(table: ApiKeyTable, ...allowed: Role[]): RequestHandler {
  return authenticate(table, allowed, true);
}

function authenticate(table: ApiKeyTable, allowed: Role[], allowBasic: boolean): RequestHandler {
  const challenge = allowBasic
    ? { headers: { 'WWW-Authenticate': 'Basic realm="triage admin", charset="UTF-8"' } }
    : {};
  return (req, _res, next) => {
    const key = presentedKey(req.header('authorization') ?? '', allowBasic);
    if (!key) return next(new UnauthorizedError(undefined, challenge));
    const principal = lookup(table, key);
    if (!principal) return next(new UnauthorizedError('The API key is not recognised.', challenge));
    if (allowed.length > 0 && !allowed.includes(principal.role)) {
      return next(new ForbiddenError(`This call needs one of the roles: ${allowed.join(', ')}.`));
    }
    req.principal = principal;
    next();
  };
}

/** The authenticated principal; only call after requireRole. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}
