import { AppError, ConflictError, NotFoundError, parseOrThrow, ValidationError } from '@triage/shared/kernel';
import { jsonBody } from '@triage/shared/http';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SurveyLinks, SurveyRef } from '../../domain/csat';
import type { TicketDesk } from '../../domain/ticket-desk';

export const surveyParams = z.object({
  token: z
    .string()
    .min(10)
    .max(1000)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a survey token'),
});

export const surveyAnswerBody = z
  .object({
    score: z.coerce.number().int().min(1).max(5),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

/** The survey page's answers: the form sends an empty comment when none was written. */
const formBody = z.object({
  score: z.string().optional(),
  comment: z.string().optional(),
});

class SurveyGoneError extends AppError {
  constructor() {
    super('survey-expired', 410, 'Survey expired', 'This survey link has expired.');
  }
}

const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans SC", sans-serif; background:#f6f7f9; color:#1d2330; }
  main { max-width:520px; margin:40px auto; background:#fff; border-radius:10px; padding:24px 28px; box-shadow:0 1px 3px rgba(0,0,0,.1); }
  h1 { font-size:20px; margin:0 0 4px; } p.en, span.en { color:#6b7385; }
  fieldset { border:0; padding:0; margin:16px 0; display:flex; gap:8px; }
  label.score { flex:1; text-align:center; border:1px solid #d5d9e2; border-radius:8px; padding:10px 0; cursor:pointer; }
  label.score input { display:block; margin:0 auto 4px; }
  textarea { width:100%; min-height:90px; box-sizing:border-box; padding:8px; font:inherit; }
  button { margin-top:12px; padding:10px 18px; font:inherit; background:#3f6fd8; color:#fff; border:0; border-radius:6px; cursor:pointer; }
  .error { color:#c62828; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function formPage(error?: string): string {
  const scores = [1, 2, 3, 4, 5]
    .map(
      (score) =>
        `<label class="score"><input type="radio" name="score" value="${score}" required>${score}</label>`,
    )
    .join('');
  return page(
    '满意度调查 · Satisfaction survey',
    `<h1>您对这次处理满意吗？</h1><p class="en" lang="en">How satisfied are you with how we handled your complaint?</p>
${error ? `<p class="error" role="alert">${error}</p>` : ''}
<form method="post">
<fieldset aria-label="1 = 非常不满意 very dissatisfied, 5 = 非常满意 very satisfied">${scores}</fieldset>
<p><span>1 = 非常不满意</span> <span class="en" lang="en">very dissatisfied</span> · <span>5 = 非常满意</span> <span class="en" lang="en">very satisfied</span></p>
<label for="comment">意见（可选） <span class="en" lang="en">Comment (optional)</span></label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit">提交 <span lang="en">Submit</span></button>
</form>`,
  );
}

function messagePage(zh: string, en: string): string {
  return page('满意度调查 · Satisfaction survey', `<h1>${zh}</h1><p class="en" lang="en">${en}</p>`);
}

/**
 * The satisfaction survey a resolve makes due, public (the signed link is the permission):
 * GET /survey/:token a small bilingual page; POST /survey/:token its form, or JSON `{ score,
 * comment? }` from a CRM that ran the survey itself (201 `{ csat }`). An unknown link is 404, an
 * expired one 410, an answered one 409 — as problem+json, or as a page for a browser.
 */
export function surveyRouter(deps: { desk: TicketDesk; surveys: SurveyLinks }): Router {
  const router = Router();
  const surveyOf = (req: Request): SurveyRef => {
    const { token } = parseOrThrow(surveyParams, req.params, 'path');
    const checked = deps.surveys.check(token, new Date());
    if (checked === 'invalid') throw new NotFoundError('No survey for this link.');
    if (checked === 'expired') throw new SurveyGoneError();
    return checked;
  };
  const answerPage = (res: Response, error: unknown) => {
    const status = error instanceof AppError ? error.status : 500;
    if (status === 409)
      return res
        .status(409)
        .set(PAGE_HEADERS)
        .type('html')
        .send(messagePage('您已经提交过了，谢谢！', 'You already answered this survey. Thank you!'));
    if (status === 410)
      return res
        .status(410)
        .set(PAGE_HEADERS)
        .type('html')
        .send(messagePage('此调查链接已过期。', 'This survey link has expired.'));
    if (status === 404)
      return res
        .status(404)
        .set(PAGE_HEADERS)
        .type('html')
        .send(messagePage('找不到此调查。', 'There is no survey at this link.'));
    throw error;
  };

  router.get('/survey/:token', async (req, res) => {
    try {
      const survey = surveyOf(req);
      const ticket = await deps.desk.ticket(survey.complaintId);
      if (ticket?.csatRounds?.includes(survey.round)) throw new ConflictError('answered');
      if (!ticket) throw new NotFoundError('No survey for this link.');
      res.set(PAGE_HEADERS).type('html').send(formPage());
    } catch (error) {
      answerPage(res, error);
    }
  });

  router.post(
    '/survey/:token',
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }),
    (req, res, next) => (req.is('application/x-www-form-urlencoded') ? next('route') : next()),
    ...jsonBody('8kb'),
    async (req, res) => {
      const survey = surveyOf(req);
      const answer = parseOrThrow(surveyAnswerBody, req.body ?? {});
      const csat = await deps.desk.answerSurvey(
        survey,
        { score: answer.score, ...(answer.comment ? { comment: answer.comment } : {}) },
        'api',
      );
      res.status(201).json({ csat });
    },
  );

  // The page's form (urlencoded): answered with a page, not JSON.
  router.post('/survey/:token', async (req, res) => {
    const form = formBody.safeParse(req.body ?? {});
    const parsed = surveyAnswerBody.safeParse({
      score: form.success ? form.data.score : undefined,
      ...(form.success && form.data.comment?.trim() ? { comment: form.data.comment } : {}),
    });
    try {
      const survey = surveyOf(req);
      if (!parsed.success) {
        res
          .status(400)
          .set(PAGE_HEADERS)
          .type('html')
          .send(formPage('请选择 1 到 5 分。 Please choose a score from 1 to 5.'));
        return;
      }
      await deps.desk.answerSurvey(survey, parsed.data, 'page');
      res.set(PAGE_HEADERS).type('html').send(messagePage('谢谢您的反馈！', 'Thank you for your feedback!'));
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      answerPage(res, error);
    }
  });

  return router;
}
