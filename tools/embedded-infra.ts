/**
 * Embedded MongoDB and Redis for `npm start`, the integration tests and the benchmarks.
 *
 * MongoDB, in order: MONGO_URL; a `mongod` on PATH; mongodb-memory-server when
 * TRIAGE_MONGO_MEMORY_SERVER=1; the MongoDB-wire-protocol stand-in built from Maven Central.
 * Redis, in order: REDIS_URL; a `redis-server` on PATH; the redis-server 6.2 that embedded-redis
 * carries on Maven Central. With `dataDir` (npm start) both keep their data there across
 * restarts; without it (tests, benchmarks) they start empty and leave nothing behind.
 * It says which it chose, and fails with a message saying how to fix it.
 */
import { InfraUnavailableError, which } from './embedded/processes';
import {
  startMemoryServer,
  startMongod,
  startStandIn,
  type MongoServerHandle,
} from './embedded/mongo-server';
import { startRedisServer } from './embedded/redis-server';

export { InfraUnavailableError, freePort } from './embedded/processes';
export { startPrivateMongo } from './embedded/mongo-server';
export { startRedisServer, type RedisServerHandle } from './embedded/redis-server';

export interface EmbeddedInfra {
  mongoUrl: string;
  redisUrl: string;
  /** Human description of the MongoDB server, e.g. "mongo-java-server 1.47.0 (stand-in…)". */
  mongoKind: string;
  redisKind: string;
  stop: () => Promise<void>;
}

export interface EmbeddedInfraOptions {
  /** Keep MongoDB's and Redis's data in this directory (created if missing). */
  dataDir?: string;
}

async function startMongo(
  env: Record<string, string | undefined>,
  log: (message: string) => void,
  dataDir: string | undefined,
): Promise<MongoServerHandle> {
  if (env.MONGO_URL)
    return { url: env.MONGO_URL, kind: 'external MongoDB from MONGO_URL', stop: async () => {} };
  const mongod = which('mongod');
  if (mongod) return startMongod(mongod, dataDir);
  if (env.TRIAGE_MONGO_MEMORY_SERVER === '1') return startMemoryServer();
  return startStandIn(log, dataDir);
}

/** Resolves MongoDB and Redis as described at the top of this file. */
export async function startEmbeddedInfra(
  env: Record<string, string | undefined>,
  log: (message: string) => void,
  options: EmbeddedInfraOptions = {},
): Promise<EmbeddedInfra> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const mongo = await startMongo(env, log, options.dataDir);
    stops.push(mongo.stop);
    log(`MongoDB: ${mongo.kind} at ${mongo.url}`);

    let redisUrl: string;
    let redisKind: string;
    if (env.REDIS_URL) {
      redisUrl = env.REDIS_URL;
      redisKind = 'external Redis from REDIS_URL';
    } else {
      const started = await startRedisServer({
        log,
        ...(options.dataDir ? { dataDir: `${options.dataDir}/redis` } : {}),
      });
      stops.push(started.stop);
      redisUrl = started.url;
      redisKind = started.kind;
    }
    log(`Redis: ${redisKind} at ${redisUrl}`);

    return {
      mongoUrl: mongo.url,
      redisUrl,
      mongoKind: mongo.kind,
      redisKind,
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (error instanceof InfraUnavailableError) throw error;
    throw new InfraUnavailableError(
      `Could not start MongoDB/Redis for the embedded stack: ${(error as Error).message}. ` +
        'Set MONGO_URL and REDIS_URL to running servers, or install Java 17 and Maven (see README).',
    );
  }
}
