import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';

/**
 * The claim index: per queue, a Redis sorted set of the tickets waiting in it, in queue order
 * (priority score, then earliest deadline, then arrival). It is an accelerator, not the truth:
 * MongoDB's complaint document decides who holds a ticket (docs/adr/0006-claim-index.md).
 *
 * Layout, all under the queue prefix (a Cluster hash tag, so every key is in one slot):
 * - `<prefix>:claims:<queue>` for tickets that need only their queue's skills, and
 *   `<prefix>:claims:<queue>+<skill>+…` for those that need more (their own skills, sorted): a
 *   sorted set per partition; score = −priority score, member = deadline (15
 *   digits) + arrival (15 digits) + ticket id. Equal scores order by member, so one ZRANGE
 *   gives the exact queue order.
 * - `<prefix>:claims:entries`: hash, ticket id → "<score>\n<sorted set key>\n<member>", so a
 *   ticket that changes order or queue replaces its old entry instead of leaving it behind.
 * - `<prefix>:claims:sets`: set of every sorted set key ever used, so a claim can pick the
 *   partitions of its queues whose skills the agent has (identifiers never contain `+`).
 */

/** Where a waiting ticket sits in the index. */
export interface ClaimIndexEntry {
  ticketId: string;
  queue: string;
  /** The ticket's own skills (beyond its queue's). */
  skills?: readonly string[];
  priorityScore: number;
  dueAt: Date;
  receivedAt: Date;
}

/** A ticket taken off the index by `pop`: the caller now claims it in MongoDB (or puts it back). */
export interface PoppedTicket {
  ticketId: string;
  queue: string;
  /** The sorted set it came from (its queue and skills). */
  setKey: string;
  /** The entry as it was, to put back unchanged with `restore`. */
  score: string;
  member: string;
}

const TIME_DIGITS = 15;
const MEMBER_PREFIX_LENGTH = 2 * TIME_DIGITS;

function paddedTime(date: Date): string {
  return String(Math.max(0, date.getTime())).padStart(TIME_DIGITS, '0');
}

/** The sorted-set member: deadline and arrival first, so equal scores fall back to them. */
export function claimIndexMember(entry: Pick<ClaimIndexEntry, 'ticketId' | 'dueAt' | 'receivedAt'>): string {
  return `${paddedTime(entry.dueAt)}${paddedTime(entry.receivedAt)}${entry.ticketId}`;
}

export function ticketIdOfMember(member: string): string {
  return member.slice(MEMBER_PREFIX_LENGTH);
}

/* Lua: each script is atomic in Redis, and lives in a .lua file beside this one (the build copies
   them to dist/). Keys other than KEYS[] are built from values stored under the same hash tag (as
   BullMQ's own scripts do), so they live in the same Cluster slot. Read once, at start-up. */

function readScript(name: string): string {
  return readFileSync(path.join(__dirname, `${name}.lua`), 'utf8');
}

/** The shared entry parser, prepended to each script. */
const entryParser = readScript('claim-index-entry');
const scripts = {
  upsert: `${entryParser}\n${readScript('claim-index-upsert')}`,
  pop: `${entryParser}\n${readScript('claim-index-pop')}`,
  removeIf: `${entryParser}\n${readScript('claim-index-remove-if')}`,
};

type ScriptRedis = Redis & {
  claimIndexUpsert(
    entries: string,
    set: string,
    sets: string,
    id: string,
    score: string,
    member: string,
    onlyIfAbsent: string,
  ): Promise<number>;
  /** numkeys, the entries hash and the sets, then the member prefix length. */
  claimIndexPop(...keysAndArgs: string[]): Promise<[string, string, string] | null>;
  claimIndexRemoveIf(entries: string, id: string, expected: string): Promise<number>;
};

function withScripts(redis: Redis): ScriptRedis {
  const scripted = redis as ScriptRedis;
  if (typeof scripted.claimIndexPop !== 'function') {
    redis.defineCommand('claimIndexUpsert', { numberOfKeys: 3, lua: scripts.upsert });
    redis.defineCommand('claimIndexPop', { lua: scripts.pop });
    redis.defineCommand('claimIndexRemoveIf', { numberOfKeys: 1, lua: scripts.removeIf });
  }
  return scripted;
}

export class ClaimIndex {
  private readonly redis: ScriptRedis;
  private readonly entriesKey: string;
  private readonly setsKey: string;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.redis = withScripts(redis);
    this.entriesKey = `${prefix}:claims:entries`;
    this.setsKey = `${prefix}:claims:sets`;
  }

  /** The sorted set of a queue's tickets that need `skills` (sorted) beyond the queue's. */
  setKey(queue: string, skills: readonly string[] = []): string {
    return [`${this.prefix}:claims:${queue}`, ...skills].join('+');
  }

  private partitionOfKey(key: string): { queue: string; skills: string[] } {
    const [queue = '', ...skills] = key.slice(`${this.prefix}:claims:`.length).split('+');
    return { queue, skills };
  }

  /** Puts a waiting ticket in its queue's set, replacing where it was before. */
  async upsert(entry: ClaimIndexEntry): Promise<void> {
    await this.redis.claimIndexUpsert(
      this.entriesKey,
      this.setKey(entry.queue, entry.skills),
      this.setsKey,
      entry.ticketId,
      String(-entry.priorityScore),
      claimIndexMember(entry),
      '0',
    );
  }

  /** Adds a ticket only if the index knows nothing of it (the sweep, from an older snapshot). */
  async addIfAbsent(entry: ClaimIndexEntry): Promise<boolean> {
    const added = await this.redis.claimIndexUpsert(
      this.entriesKey,
      this.setKey(entry.queue, entry.skills),
      this.setsKey,
      entry.ticketId,
      String(-entry.priorityScore),
      claimIndexMember(entry),
      '1',
    );
    return added === 1;
  }

  /**
   * Atomically takes the best waiting ticket of `queues` whose own skills are all in
   * `agentSkills` off the index; null when there is none.
   */
  async pop(queues: readonly string[], agentSkills: readonly string[]): Promise<PoppedTicket | null> {
    if (queues.length === 0) return null;
    const wanted = new Set(queues);
    const skills = new Set(agentSkills);
    const sets = (await this.redis.smembers(this.setsKey)).filter((key) => {
      const partition = this.partitionOfKey(key);
      return wanted.has(partition.queue) && partition.skills.every((skill) => skills.has(skill));
    });
    if (sets.length === 0) return null;
    const head = await this.redis.claimIndexPop(
      String(sets.length + 1),
      this.entriesKey,
      ...sets,
      String(MEMBER_PREFIX_LENGTH),
    );
    if (!head) return null;
    const [key, member, score] = head;
    return {
      ticketId: ticketIdOfMember(member),
      queue: this.partitionOfKey(key).queue,
      setKey: key,
      score,
      member,
    };
  }

  /** Puts back a popped ticket whose claim failed for a reason other than the ticket itself. */
  async restore(popped: PoppedTicket): Promise<void> {
    await this.redis.claimIndexUpsert(
      this.entriesKey,
      popped.setKey,
      this.setsKey,
      popped.ticketId,
      popped.score,
      popped.member,
      '1',
    );
  }

  /** Every entry: ticket id → its raw value (for the sweep's comparison with MongoDB). */
  async entries(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.entriesKey, cursor, 'COUNT', 1000);
      for (let i = 0; i + 1 < flat.length; i += 2) found.set(flat[i] ?? '', flat[i + 1] ?? '');
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  /** The raw value `entry` would have, to compare with what `entries()` returned. */
  valueOf(entry: ClaimIndexEntry): string {
    return `${String(-entry.priorityScore)}\n${this.setKey(entry.queue, entry.skills)}\n${claimIndexMember(entry)}`;
  }

  /** Removes a ticket's entry if it is still `expected` (a concurrent upsert wins). */
  async removeIf(ticketId: string, expected: string): Promise<boolean> {
    return (await this.redis.claimIndexRemoveIf(this.entriesKey, ticketId, expected)) === 1;
  }

  /** Those of `queues` with an entry in any of their sets (stale entries included). */
  async queuesWithEntries(queues: readonly string[]): Promise<string[]> {
    if (queues.length === 0) return [];
    const wanted = new Set(queues);
    const sets = (await this.redis.smembers(this.setsKey)).filter((key) =>
      wanted.has(this.partitionOfKey(key).queue),
    );
    if (sets.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of sets) pipeline.zcard(key);
    const results = (await pipeline.exec()) ?? [];
    const waiting = new Set<string>();
    sets.forEach((key, i) => {
      const [error, count] = results[i] ?? [new Error('no reply'), 0];
      if (error) throw error;
      if (Number(count) > 0) waiting.add(this.partitionOfKey(key).queue);
    });
    return queues.filter((queue) => waiting.has(queue));
  }

  /** How many tickets a queue's sets hold (stale entries included). */
  async size(queue: string): Promise<number> {
    const sets = (await this.redis.smembers(this.setsKey)).filter(
      (key) => this.partitionOfKey(key).queue === queue,
    );
    let total = 0;
    for (const key of sets) total += await this.redis.zcard(key);
    return total;
  }
}
