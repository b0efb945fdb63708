import { ForbiddenError, UnauthorizedError, type ApiKeyTable } from '@triage/shared/kernel';
import {
  clearedSessionCookie,
  createSessionToken,
  principalForKey,
  principalOf,
  requireRole,
  sessionCookie,
  type SessionSettings,
} from '@triage/shared/http';
import { Router } from 'express';

export interface BrowserSessionSettings extends SessionSettings {
  secureCookie: boolean;
}

/**
 * Roles that may sign a browser in: agents (the agent workspace at /agent), QA reviewers (the QA
 * page at /qa), supervisors and admins (the dashboard, the QA page, bull-board). Each page's data
 * calls still check the role: an agent's session reads no report and no bull-board, a reviewer's
 * nothing but QA reviews.
 */
const browserRoles = ['agent', 'qa', 'supervisor', 'admin'] as const;

/**
 * Browser sign-in without keys in URLs: the page's own script POSTs /v1/session with
 * `Authorization: Bearer <key>` and gets a short-lived, HttpOnly, SameSite=Strict session cookie
 * (an HMAC-signed token, so any router process accepts it). GET says who is signed in; DELETE
 * signs out.
 */
export function sessionRouter(deps: { apiKeys: ApiKeyTable; session: BrowserSessionSettings }): Router {
  const router = Router();

  router.post('/v1/session', (req, res) => {
    const principal = principalForKey(deps.apiKeys, req.header('authorization'));
    if (!principal) throw new UnauthorizedError('Sign in with Authorization: Bearer <key>.');
    if (!(browserRoles as readonly string[]).includes(principal.role)) {
      throw new ForbiddenError(`Browser sessions are for the roles: ${browserRoles.join(', ')}.`);
    }
    const now = new Date();
    const token = createSessionToken(principal, deps.session, now);
    res
      .setHeader('Set-Cookie', sessionCookie(token, deps.session.ttlMs, deps.session.secureCookie))
      .setHeader('Cache-Control', 'no-store')
      .json({
        role: principal.role,
        subject: principal.subject,
        expiresAt: new Date(now.getTime() + deps.session.ttlMs),
      });
  });

  router.get('/v1/session', requireRole(deps.apiKeys, ...browserRoles), (req, res) => {
    const principal = principalOf(req);
    res.setHeader('Cache-Control', 'no-store').json({ role: principal.role, subject: principal.subject });
  });

  router.delete('/v1/session', (_req, res) => {
    res.setHeader('Set-Cookie', clearedSessionCookie()).status(204).end();
  });

  return router;
}
