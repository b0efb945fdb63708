import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs (pino) with the service name on every line. Errors go under `err` as
 * objects. Secrets in the usual places are redacted.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-triage-signature"]', '*.password', '*.secret'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
