import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '../kernel';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Well above any real payload
 * (a candidate rule file posted inside a dry-run, at the deepest conditions rules allow, is
 * about 75 levels), far below what could overflow a recursive walk (zod, JSON.stringify).
 */
export const maxJsonBodyDepth = 128;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether the JSON text in `bytes` nests arrays and objects deeper than `maxDepth`. One pass
 * over the bytes before anything is parsed (UTF-8 multi-byte sequences never contain these
 * ASCII bytes), so a hostile body costs no more than reading it.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return false;
}

/**
 * JSON bodies only: a request that carries a body with another content type gets 415;
 * a larger body than `limit` gets 413, one nested deeper than `maxDepth` 400 (through the
 * problem handler). `verify` keeps the raw bytes for signature checks.
 */
export function jsonBody(
  limit: string | number,
  { maxDepth = maxJsonBodyDepth }: { maxDepth?: number } = {},
): RequestHandler[] {
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
        if (nestsDeeperThan(buf, maxDepth)) {
          throw new ValidationError(`The body nests arrays and objects deeper than ${maxDepth} levels.`, [
            { path: '/', message: `nested deeper than ${maxDepth} levels` },
          ]);
        }
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
