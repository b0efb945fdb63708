import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../kernel';
import type { ApiKeyTable, Principal, Role } from '../kernel';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** Set by `browserSession` when the request carries a valid session cookie. */
    sessionPrincipal?: Principal;
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

/** The key from `Authorization: Bearer <key>`. */
function presentedKey(header: string): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/** Requires `Authorization: Bearer <key>` (or a browser session, where the app accepts one) with one of `roles`. */
export function requireRole(table: ApiKeyTable, ...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization');
    let principal: Principal | undefined;
    if (header) {
      const key = presentedKey(header);
      if (!key) return next(new UnauthorizedError());
      principal = lookup(table, key);
      if (!principal) return next(new UnauthorizedError('The API key is not recognised.'));
    } else {
      principal = req.sessionPrincipal;
      if (!principal) return next(new UnauthorizedError());
    }
    if (allowed.length > 0 && !allowed.includes(principal.role)) {
      return next(new ForbiddenError(`This call needs one of the roles: ${allowed.join(', ')}.`));
    }
    req.principal = principal;
    next();
  };
}

/** The principal an API key names, if the key is in `table` (for signing in). */
export function principalForKey(
  table: ApiKeyTable,
  authorization: string | undefined,
): Principal | undefined {
  const key = presentedKey(authorization ?? '');
  return key ? lookup(table, key) : undefined;
}

/** The authenticated principal; only call after requireRole. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}
