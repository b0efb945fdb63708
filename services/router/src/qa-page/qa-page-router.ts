import { Router } from 'express';
import { sendPageAsset } from '../agent-workspace/agent-workspace-router';
import { qaPage, qaPageStyles } from './qa-page';
import { qaRenderScript } from './qa-render-script';
import { qaScript } from './qa-script';

/**
 * The QA page at GET /qa (docs/quality.md, "QA page"): the page, its two scripts and its styles,
 * under the same strict CSP as the agent workspace. Public like the other pages: it holds no
 * data; every call it makes is the API's, on the reviewer's session cookie.
 */
export function qaPageRouter(): Router {
  const router = Router();
  router.get('/qa', (_req, res) => {
    sendPageAsset(res, 'html', qaPage);
  });
  router.get('/qa/qa-render.js', (_req, res) => {
    sendPageAsset(res, 'text/javascript', qaRenderScript);
  });
  router.get('/qa/qa.js', (_req, res) => {
    sendPageAsset(res, 'text/javascript', qaScript);
  });
  router.get('/qa/qa.css', (_req, res) => {
    sendPageAsset(res, 'text/css', qaPageStyles);
  });
  return router;
}
