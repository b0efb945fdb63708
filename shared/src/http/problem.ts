import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  AppError,
  NotFoundError,
  PayloadTooLargeError,
  redactUrlSecrets,
  ValidationError,
  type Logger,
} from '../kernel';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://triage.dev/problems/';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps body-parser's own errors (bad JSON, too large, bad charset) onto AppErrors. */
function fromBodyParser(error: BodyParserError): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ValidationError(`The body is not valid JSON: ${error.message}`);
    case 'entity.too.large':
      return new PayloadTooLargeError(`The body is larger than the limit of ${error.limit ?? '?'} bytes.`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported-media-type', 415, 'Unsupported media type', error.message);
    case 'request.aborted':
      return new AppError('request-aborted', 400, 'Request aborted', 'The client aborted the request.');
    default:
      return undefined;
  }
}

/** Answers every error as application/problem+json; never a stack trace, never an empty body. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError =
      error instanceof AppError ? error : (fromBodyParser(error as BodyParserError) ?? undefined);
    const status = appError?.status ?? 500;
    if (status >= 500) {
      logger.error({ err: error, requestId: req.requestId, path: req.path }, 'request failed');
    } else {
      logger.debug({ err: error, requestId: req.requestId, path: req.path }, 'request rejected');
    }
    const body: Record<string, unknown> = {
      type: TYPE_BASE + (appError?.code ?? 'internal-error'),
      title: appError?.title ?? 'Internal server error',
      status,
      detail: appError?.detail ?? 'An unexpected error occurred; it has been logged.',
      instance: redactUrlSecrets(req.originalUrl),
      requestId: req.requestId,
      ...(appError?.fieldErrors?.length ? { errors: appError.fieldErrors } : {}),
      ...(appError?.extra ?? {}),
    };
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(appError?.headers ?? {})) res.setHeader(name, value);
    res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  };
}

/** The last route: 404 problem+json for anything unmatched. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};
