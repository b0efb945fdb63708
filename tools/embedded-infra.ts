/**
 * Embedded MongoDB and Redis for `npm start` and the integration tests.
 *
 * MongoDB, in order: MONGO_URL; a `mongod` on PATH; mongodb-memory-server when
 * TRIAGE_MONGO_MEMORY_SERVER=1 (it downloads a real mongod where downloads work); the
 * MongoDB-wire-protocol stand-in built from Maven Central (tools/mongo-stand-in).
 * Redis: REDIS_URL, else Debian's `redis-server` on a free port.
 * It says which it chose, and fails with a message saying how to fix it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export interface EmbeddedInfra {
  mongoUrl: string;
  redisUrl: string;
  /** Human description of the MongoDB server, e.g. "mongo-java-server 1.47.0 (stand-in)". */
  mongoKind: string;
  redisKind: string;
  stop: () => Promise<void>;
}

export interface RedisServerHandle {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');
const STAND_IN_DIR = path.join(ROOT, 'tools', 'mongo-stand-in');
const STAND_IN_JAR = path.join(STAND_IN_DIR, 'target', 'mongo-stand-in.jar');
const STAND_IN_VERSION = '1.47.0';

export class InfraUnavailableError extends Error {
  override name = 'InfraUnavailableError';
}

function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  if (found) return found;
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin']) {
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Children die with us, even when we exit abruptly. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts Debian's redis-server on a free loopback port, without persistence. */
export async function startRedisServer(port?: number): Promise<RedisServerHandle> {
  const binary = which('redis-server');
  if (!binary) {
    throw new InfraUnavailableError(
      'No Redis: set REDIS_URL to a running Redis 6.2+ or install redis-server (Debian: apt-get install redis-server).',
    );
  }
  const chosen = port ?? (await freePort());
  const child = track(
    spawn(
      binary,
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'yes',
      ],
      {
        stdio: 'ignore',
        // Own process group: Ctrl-C reaches the stack's parent, which stops services before servers.
        detached: true,
      },
    ),
  );
  await waitForPort(chosen, 10_000, child);
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, stop: () => stopChild(child) };
}

function ensureStandInJar(log: (message: string) => void): void {
  if (existsSync(STAND_IN_JAR)) return;
  const mvn = which('mvn');
  if (!mvn) {
    throw new InfraUnavailableError(
      `The MongoDB stand-in is not built (${STAND_IN_JAR}) and Maven is not installed. ` +
        'Install Maven and Java 17 (apt-get install maven openjdk-17-jre-headless), or set MONGO_URL to a real MongoDB.',
    );
  }
  log('building the MongoDB stand-in (mongo-java-server from Maven Central), once…');
  const result = spawnSync(mvn, ['-q', '-B', '-f', path.join(STAND_IN_DIR, 'pom.xml'), 'package'], {
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(STAND_IN_JAR)) {
    throw new InfraUnavailableError(`Building the MongoDB stand-in failed (mvn exit ${result.status}).`);
  }
}

async function startStandIn(
  log: (message: string) => void,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const java = which('java');
  if (!java)
    throw new InfraUnavailableError(
      'No java on PATH for the MongoDB stand-in (apt-get install openjdk-17-jre-headless), and no MONGO_URL.',
    );
  ensureStandInJar(log);
  const child = track(
    spawn(java, ['-Xss4m', '-jar', STAND_IN_JAR, '0'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error('the MongoDB stand-in did not start within 30 s')),
      30_000,
    );
    lines.on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the MongoDB stand-in exited with code ${code}`));
    });
  });
  return {
    url: `mongodb://127.0.0.1:${port}`,
    stop: async () => {
      child.stdin?.end();
      await stopChild(child);
    },
  };
}

async function startMongod(
  binary: string,
): Promise<{ url: string; version: string; stop: () => Promise<void> }> {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'mongod';
  const dbPath = mkdtempSync(path.join(os.tmpdir(), 'triage-mongod-'));
  const port = await freePort();
  const child = track(
    spawn(binary, ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], {
      stdio: 'ignore',
      detached: true,
    }),
  );
  await waitForPort(port, 30_000, child);
  return {
    url: `mongodb://127.0.0.1:${port}`,
    version,
    stop: async () => {
      await stopChild(child);
      rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

async function startMemoryServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create();
  return { url: server.getUri().replace(/\/$/, ''), stop: async () => void (await server.stop()) };
}

/** Resolves MongoDB and Redis as described at the top of this file. */
export async function startEmbeddedInfra(
  env: Record<string, string | undefined>,
  log: (message: string) => void,
): Promise<EmbeddedInfra> {
  const stops: Array<() => Promise<void>> = [];
  try {
    let mongoUrl: string;
    let mongoKind: string;
    const mongod = which('mongod');
    if (env.MONGO_URL) {
      mongoUrl = env.MONGO_URL;
      mongoKind = 'external MongoDB from MONGO_URL';
    } else if (mongod) {
      const started = await startMongod(mongod);
      stops.push(started.stop);
      mongoUrl = started.url;
      mongoKind = `real mongod (${started.version}) from PATH`;
    } else if (env.TRIAGE_MONGO_MEMORY_SERVER === '1') {
      const started = await startMemoryServer();
      stops.push(started.stop);
      mongoUrl = started.url;
      mongoKind = 'real mongod via mongodb-memory-server';
    } else {
      const started = await startStandIn(log);
      stops.push(started.stop);
      mongoUrl = started.url;
      mongoKind = `mongo-java-server ${STAND_IN_VERSION} (MongoDB-wire-protocol stand-in: no transactions, no TTL)`;
    }
    log(`MongoDB: ${mongoKind} at ${mongoUrl}`);

    let redisUrl: string;
    let redisKind: string;
    if (env.REDIS_URL) {
      redisUrl = env.REDIS_URL;
      redisKind = 'external Redis from REDIS_URL';
    } else {
      const started = await startRedisServer();
      stops.push(started.stop);
      redisUrl = started.url;
      const version = spawnSync(which('redis-server') ?? 'redis-server', ['--version'], {
        encoding: 'utf8',
      }).stdout.trim();
      redisKind = `local redis-server (${/v=(\S+)/.exec(version)?.[1] ?? 'unknown version'})`;
    }
    log(`Redis: ${redisKind} at ${redisUrl}`);

    return {
      mongoUrl,
      redisUrl,
      mongoKind,
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
        'Set MONGO_URL and REDIS_URL to running servers, or install redis-server, Java 17 and Maven (see README).',
    );
  }
}

/**
 * A MongoDB of its own for a test that stops it (MongoDB-down behaviour): a `mongod` from PATH
 * when there is one, else the stand-in. `stop()` kills it; its data goes with it.
 */
export async function startPrivateMongo(
  log: (message: string) => void = () => undefined,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const mongod = which('mongod');
  return mongod ? startMongod(mongod) : startStandIn(log);
}
