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

/** Requires `Authorization: Bearer <key>` with one of `roles`. */
export function requireRole(table: ApiKeyTable, ...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(new UnauthorizedError());
    const principal = lookup(table, match[1]);
    if (!principal) return next(new UnauthorizedError('The API key is not recognised.'));
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
