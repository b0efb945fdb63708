import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id (X-Request-Id); pino-http logs it as `req.id`. */
    requestId: string;
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes a caller's X-Request-Id (when it is a sane token) or makes one, and echoes it.
 * The id travels into job data so one complaint can be followed across services.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  req.requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  req.id = req.requestId;
  res.setHeader('X-Request-Id', req.requestId);
  next();
};
