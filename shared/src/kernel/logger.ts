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
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'req.headers["x-triage-signature"]',
        '*.password',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Query parameters whose value may be a secret (an API key, token, password, signature). */
const SECRET_PARAM = /key|token|secret|passw|sig|session|auth|credential/i;

/**
 * The URL with the values of query parameters that could carry secrets replaced by
 * `[redacted]`, so an access log never holds a key someone put in an address (`?key=…`).
 */
export function redactUrlSecrets(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const name = separator < 0 ? pair : pair.slice(0, separator);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is judged as written.
      }
      return separator >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}
