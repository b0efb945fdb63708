import { Router, type Response } from 'express';
import { agentPage, agentPageStyles } from './agent-page';
import { agentScript } from './agent-script';

/**
 * What the agent workspace's page (and the QA page) may load and do: its own script and styles from the router,
 * calls to the router, nothing inline (no inline script, handler or style), no frames, no
 * plugins, no form posts elsewhere. An `<img onerror>` in a complaint could not run even if it
 * were ever parsed as markup.
 */
export const agentPageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sends one of a page's files (the agent workspace's, the QA page's) under the strict CSP. */
export function sendPageAsset(res: Response, type: string, body: string): void {
  res
    .type(type)
    .setHeader('Content-Security-Policy', agentPageCsp)
    .setHeader('X-Content-Type-Options', 'nosniff')
    .setHeader('Referrer-Policy', 'no-referrer')
    .setHeader('Cache-Control', 'no-cache')
    .send(body);
}

/**
 * The agent workspace at GET /agent (docs/router.md, "Agent workspace"): the page, its script and
 * styles. Public like the dashboard page: it holds no data; every call it makes is the API's,
 * on the agent's session cookie.
 */
export function agentWorkspaceRouter(): Router {
  const router = Router();
  router.get('/agent', (_req, res) => {
    sendPageAsset(res, 'html', agentPage);
  });
  router.get('/agent/agent.js', (_req, res) => {
    sendPageAsset(res, 'text/javascript', agentScript);
  });
  router.get('/agent/agent.css', (_req, res) => {
    sendPageAsset(res, 'text/css', agentPageStyles);
  });
  return router;
}
