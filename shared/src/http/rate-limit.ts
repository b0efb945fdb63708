import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import {
  ipKeyGenerator,
  rateLimit,
  type ClientRateLimitInfo,
  type IncrementResponse,
  type Options,
} from 'express-rate-limit';
import { RedisStore, type RedisReply, type SendCommandFn } from 'rate-limit-redis';
import { TooManyRequestsError } from '../kernel';
import type { Logger } from '../kernel';

/**
 * rate-limit-redis loads its Lua scripts once, when the limiter is created. Our producer
 * connection refuses commands until it is connected (enableOfflineQueue: false), so that first
 * load can fail; this store loads them again on the next request instead of failing forever,
 * and a first load that fails at start-up is expected, not worth a warning.
 */
class ReloadingRedisStore extends RedisStore {
  override async init(options: Options): Promise<void> {
    await super.init(options).catch(() => undefined);
  }

  override async increment(key: string): Promise<IncrementResponse> {
    try {
      await this.incrementScriptSha;
    } catch {
      this.incrementScriptSha = this.loadIncrementScript();
    }
    return super.increment(key);
  }

  override async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      await this.getScriptSha;
    } catch {
      this.getScriptSha = this.loadGetScript();
    }
    return super.get(key);
  }
}

export interface RateLimitOptions {
  /** Sends a raw command to Redis (ioredis: `(command, ...args) => redis.call(command, ...args)`). */
  sendCommand: SendCommandFn;
  /** Key prefix in Redis; one per limiter. */
  prefix: string;
  windowMs: number;
  limit: number;
  /** What is being limited, for the 429 detail ("API key", "webhook source"). */
  subject: string;
  /** The client's key: an API key's hash, a source name. */
  keyOf: (req: Request) => string;
  logger: Logger;
}

/**
 * A Redis-backed fixed-window limit shared by every process of a service. Over the limit: 429
 * problem+json with Retry-After. When Redis is away the request passes (fail open): losing a
 * complaint to a rate limiter that cannot count is worse than accepting a few too many.
 */
export function redisRateLimit(options: RateLimitOptions): RequestHandler {
  const { logger } = options;
  let lastStoreWarning = 0;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    keyGenerator: (req) => options.keyOf(req),
    store: new ReloadingRedisStore({ sendCommand: options.sendCommand, prefix: options.prefix }),
    logger: {
      // A down Redis fails every request's count; say so at most every 5 s.
      error: (error, message) => {
        const now = Date.now();
        if (now - lastStoreWarning < 5000) return;
        lastStoreWarning = now;
        logger.warn({ err: error }, message ?? 'rate limiter store error; requests pass unlimited');
      },
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
    handler: (req, _res, next, used) => {
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const retryAfter = info?.resetTime
        ? (info.resetTime.getTime() - Date.now()) / 1000
        : used.windowMs / 1000;
      next(
        new TooManyRequestsError(
          `More than ${options.limit} requests in ${Math.round(options.windowMs / 1000)} s for this ${options.subject}; retry after ${Math.max(1, Math.ceil(retryAfter))} s.`,
          retryAfter,
        ),
      );
    },
  });
}

/** Counts an API key by a hash of it: the key itself never becomes a Redis key. */
export function apiKeyId(req: Request): string {
  const header = req.header('authorization') ?? '';
  const token = /^(?:Bearer|Basic)\s+(\S+)$/i.exec(header)?.[1] ?? '';
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** Raw Redis commands through an ioredis client, for the limiters' store. */
export function redisCommandsOf(redis: {
  call: (command: string, ...args: string[]) => Promise<unknown>;
}): SendCommandFn {
  return (command, ...args) => redis.call(command, ...args) as Promise<RedisReply>;
}

/** The access limits every service applies, from its config (RATE_LIMIT_*). */
export interface AccessLimits {
  /** Raw Redis commands for the shared counters. */
  sendCommand: SendCommandFn;
  /** Redis key prefix of the counters (the queue prefix keeps test runs apart). */
  prefix: string;
  windowMs: number;
  perKey: number;
  authFailures: number;
}

export interface AccessLimitOptions {
  sendCommand: SendCommandFn;
  /** Key prefix in Redis (the service's queue prefix keeps deployments and test runs apart). */
  prefix: string;
  windowMs: number;
  /** Failed authentications (401 answers) per client address per window. */
  authFailures: number;
  logger: Logger;
}

/**
 * A limit on failed authentication per client address, checked before any key lookup: once an
 * address has had `authFailures` 401 answers in the window, everything it sends is 429 until
 * the window ends. Only 401s are counted (after the answer), so callers that authenticate are
 * never counted, however many requests they have in flight. The address is `req.ip`: with
 * `trust proxy` off (TRUST_PROXY unset) it is the socket's peer, and X-Forwarded-For is ignored.
 * Fails open when Redis is away, like the other limits.
 */
export function failedAuthLimit(options: AccessLimitOptions): RequestHandler {
  const { logger } = options;
  const store = new ReloadingRedisStore({
    sendCommand: options.sendCommand,
    prefix: `${options.prefix}:ratelimit:auth-failures:`,
  });
  const ready = store.init({ windowMs: options.windowMs } as Options);
  let lastStoreWarning = 0;
  const warn = (error: unknown) => {
    const now = Date.now();
    if (now - lastStoreWarning < 5000) return;
    lastStoreWarning = now;
    logger.warn({ err: error }, 'auth-failure limiter store error; requests pass unlimited');
  };
  return async (req, res, next) => {
    const client = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    res.once('finish', () => {
      if (res.statusCode === 401) void store.increment(client).catch(warn);
    });
    let info: { totalHits: number; resetTime?: Date | undefined } | undefined;
    try {
      await ready;
      info = await store.get(client);
    } catch (error) {
      warn(error);
    }
    if (info && info.totalHits >= options.authFailures) {
      const retryAfter = info.resetTime
        ? (info.resetTime.getTime() - Date.now()) / 1000
        : options.windowMs / 1000;
      return next(
        new TooManyRequestsError(
          `More than ${options.authFailures} failed authentications in ${Math.round(options.windowMs / 1000)} s from this address; retry after ${Math.max(1, Math.ceil(retryAfter))} s.`,
          retryAfter,
        ),
      );
    }
    next();
  };
}

/**
 * The per-key limit of router and worker (intake's runs inside its routers): requests carrying
 * an Authorization header are counted per key (by its hash); requests without one (docs,
 * dashboard page) are not. Unknown keys fail authentication and meet failedAuthLimit first.
 */
export function apiKeyRateLimit(
  options: Omit<AccessLimitOptions, 'authFailures'> & { perKey: number },
): RequestHandler {
  const limit = redisRateLimit({
    sendCommand: options.sendCommand,
    prefix: `${options.prefix}:ratelimit:key:`,
    windowMs: options.windowMs,
    limit: options.perKey,
    subject: 'API key',
    keyOf: apiKeyId,
    logger: options.logger,
  });
  return (req, res, next) => (req.header('authorization') ? limit(req, res, next) : next());
}
