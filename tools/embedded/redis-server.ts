/**
 * Redis for `npm start` and the tests: a `redis-server` on PATH, else the real redis-server 6.2
 * that com.github.codemonstur:embedded-redis carries in its jar on Maven Central (unpacked once
 * by tools/redis-server/pom.xml). Ephemeral by default; with a data directory, AOF-persistent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  InfraUnavailableError,
  ROOT,
  ensureMavenBuild,
  freePort,
  stopChild,
  track,
  waitForPort,
  which,
} from './processes';

export interface RedisServerHandle {
  url: string;
  port: number;
  /** e.g. "redis-server 6.2.11 from Maven Central (embedded-redis)". */
  kind: string;
  stop: () => Promise<void>;
}

export interface RedisServerOptions {
  port?: number;
  /** Keep data in this directory (append-only file, fsync every second); none = in memory only. */
  dataDir?: string;
  log?: (message: string) => void;
}

const PROJECT_DIR = path.join(ROOT, 'tools', 'redis-server');
const UNPACKED_DIR = path.join(PROJECT_DIR, 'target', 'redis');

/** The binary names inside embedded-redis 1.4.3, by Node's platform-arch. */
const EMBEDDED_BINARIES: Record<string, string> = {
  'linux-x64': 'redis-server-6.2.6-v5-linux-amd64',
  'linux-arm64': 'redis-server-6.2.7-linux-arm64',
  'darwin-x64': 'redis-server-6.2.6-v5-darwin-amd64',
  'darwin-arm64': 'redis-server-6.2.6-v5-darwin-arm64',
};

function embeddedBinary(log: (message: string) => void): string {
  const name = EMBEDDED_BINARIES[`${process.platform}-${process.arch}`];
  if (!name) {
    throw new InfraUnavailableError(
      `No redis-server on PATH and embedded-redis has no build for ${process.platform}-${process.arch}: ` +
        'install Redis 6.2+ or set REDIS_URL.',
    );
  }
  ensureMavenBuild(PROJECT_DIR, UNPACKED_DIR, 'redis-server (embedded-redis)', log);
  const binary = path.join(UNPACKED_DIR, name);
  if (!existsSync(binary))
    throw new InfraUnavailableError(`${binary} is missing after unpacking embedded-redis.`);
  chmodSync(binary, 0o755);
  return binary;
}

/** Which redis-server a start would use, and how to describe it. */
export function resolveRedisBinary(log: (message: string) => void = () => undefined): {
  binary: string;
  origin: string;
} {
  const onPath = which('redis-server');
  if (onPath) return { binary: onPath, origin: 'from PATH' };
  return { binary: embeddedBinary(log), origin: 'from Maven Central (embedded-redis)' };
}

/** Starts redis-server on a loopback port (a free one unless given). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const { binary, origin } = resolveRedisBinary(options.log);
  const port = options.port ?? (await freePort());
  const persistence = options.dataDir
    ? ['--dir', ensureDir(options.dataDir), '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const child = track(
    spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        ...persistence,
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'yes',
      ],
      // Own process group: Ctrl-C reaches the stack's parent, which stops services before servers.
      { stdio: 'ignore', detached: true },
    ),
  );
  await waitForPort(port, 10_000, child);
  const version = /v=(\S+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kind: `redis-server ${version ?? '(unknown version)'} ${origin}${options.dataDir ? `, AOF in ${options.dataDir}` : ''}`,
    stop: () => stopChild(child),
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return path.resolve(dir);
}
