import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../kernel';

/**
 * JSON bodies only: a request that carries a body with another content type gets 415;
 * a larger body than `limit` gets 413 (through the problem handler).
 * `verify` keeps the raw bytes for signature checks.
 */
export function jsonBody(limit: string | number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      return next(
        new UnsupportedMediaTypeError(
          `Send the body as application/json; got ${req.headers['content-type'] ?? 'no content type'}.`,
        ),
      );
    }
    next();
  };
  return [
    requireJson,
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buf;
      },
    }),
  ];
}

declare module 'express-serve-static-core' {
  interface Request {
    rawBody?: Buffer;
  }
}
