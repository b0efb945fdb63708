import { TooManyRequestsError, type Logger } from '@triage/shared';
import type { Request, RequestHandler } from 'express';
import { rateLimit, type IncrementResponse, type Options } from 'express-rate-limit';
import { RedisStore, type SendCommandFn } from 'rate-limit-redis';

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
 * A Redis-backed fixed-window limit shared by every intake process. Over the limit: 429
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
