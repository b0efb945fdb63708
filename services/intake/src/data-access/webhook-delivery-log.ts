import type { Redis } from 'ioredis';
import type { DeliveryLog, DeliverySighting } from '../domain/ports';
import { withinTimeout } from './triage-queue';

/**
 * The replay cache of signed webhook deliveries, in Redis and so shared by every intake process.
 * Per delivery, two keys with the signature's lifetime, set in one MULTI: `seen` (`SET NX`: the
 * first sighting wins) and `key`, the first Idempotency-Key sent with it (`SET NX` too, so a
 * later header never replaces it). The prefix is a Cluster hash tag: both keys share a slot.
 */
export class RedisDeliveryLog implements DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async sight(
    source: string,
    deliveryId: string,
    idempotencyKey: string | undefined,
    ttlSeconds: number,
  ): Promise<DeliverySighting> {
    const base = `${this.prefix}:webhook-delivery:${source}:${deliveryId}`;
    const transaction = this.redis.multi().set(`${base}:seen`, '1', 'EX', ttlSeconds, 'NX');
    if (idempotencyKey !== undefined) transaction.set(`${base}:key`, idempotencyKey, 'EX', ttlSeconds, 'NX');
    transaction.get(`${base}:key`);
    try {
      const replies = await withinTimeout(transaction.exec(), this.timeoutMs, 'the replay cache');
      if (!replies) throw new Error('the replay cache transaction was discarded');
      const failed = replies.find(([error]) => error);
      if (failed) throw failed[0];
      const first = replies[0]?.[1] === 'OK';
      const bound = replies.at(-1)?.[1];
      const boundKey = typeof bound === 'string' ? { idempotencyKey: bound } : {};
      return { kind: first ? 'first' : 'replay', ...boundKey };
    } catch (error) {
      return { kind: 'unknown', error };
    }
  }
}
