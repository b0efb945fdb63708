/**
 * One error family for every service. Each AppError carries what the problem+json
 * handler needs (RFC 9457): a stable `code` (used as the problem `type` suffix), the
 * HTTP status, a human `detail`, and optional field errors and headers.
 */
export interface FieldError {
  /** JSON path of the bad field, e.g. `/customer/id`. */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  fieldErrors?: FieldError[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly fieldErrors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fieldErrors = options.fieldErrors;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }

  get detail(): string {
    return this.message;
  }
}

export class ValidationError extends AppError {
  constructor(detail: string, fieldErrors: FieldError[] = [], options: AppErrorOptions = {}) {
    super('validation-failed', 400, 'Request validation failed', detail, { ...options, fieldErrors });
  }
}

export class UnauthorizedError extends AppError {
  constructor(
    detail = 'A valid Authorization: Bearer <key> header is required.',
    options: AppErrorOptions = {},
  ) {
    super('unauthorized', 401, 'Unauthorized', detail, {
      ...options,
      headers: { 'WWW-Authenticate': 'Bearer', ...options.headers },
    });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super('forbidden', 403, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail: string) {
    super('not-found', 404, 'Not found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, options: AppErrorOptions = {}) {
    super('conflict', 409, 'Conflict', detail, options);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail: string) {
    super('payload-too-large', 413, 'Payload too large', detail);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super('unsupported-media-type', 415, 'Unsupported media type', detail);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super('rate-limited', 429, 'Too many requests', detail, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds = 5, options: AppErrorOptions = {}) {
    super('service-unavailable', 503, 'Service unavailable', detail, {
      ...options,
      headers: { 'Retry-After': String(retryAfterSeconds), ...options.headers },
    });
  }
}

/** Thrown at start-up when configuration is missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
