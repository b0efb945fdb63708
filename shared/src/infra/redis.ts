import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../kernel';

/**
 * `worker` connections block (BLMOVE) and must never give up on a command
 * (`maxRetriesPerRequest: null`, as BullMQ requires). `producer` connections fail fast
 * when Redis is away (`enableOfflineQueue: false`) so a request is not held hostage.
 */
export function createRedis(url: string, role: 'worker' | 'producer', logger: Logger, name: string): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = new Redis(url, { ...options, connectionName: name, lazyConnect: false });
  let lastLogged = 0;
  redis.on('error', (error) => {
    // A down Redis emits an error per reconnect attempt; log at most every 5 s.
    const now = Date.now();
    if (now - lastLogged > 5000) {
      lastLogged = now;
      logger.warn({ err: error, connection: name }, 'redis connection error');
    }
  });
  return redis;
}

/** Redis answers PING. */
export async function pingRedis(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  return (await redis.ping()) === 'PONG';
}

/** Resolves true once the client is ready, false if it is not within `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

/**
 * Before closing BullMQ workers and queues: connections that are not ready are dropped now, because
 * close() would otherwise wait for a Redis that is down (a stop during an outage must end). Returns
 * whether any was down — then workers close with `force`, as their jobs cannot be finished anyway.
 */
export function dropUnreachable(...connections: Redis[]): boolean {
  const down = connections.filter((redis) => redis.status !== 'ready' && redis.status !== 'end');
  for (const redis of down) redis.disconnect();
  return down.length > 0;
}

/** QUIT politely; disconnect if Redis is not there to answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
