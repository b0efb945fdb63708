/**
 * MongoDB for `npm start` and the tests: a real `mongod` from PATH, mongodb-memory-server when
 * asked (TRIAGE_MONGO_MEMORY_SERVER=1; it downloads a mongod where downloads work), or the
 * MongoDB-wire-protocol stand-in built from Maven Central (tools/mongo-stand-in, ADR 0001),
 * in memory or — with a data directory — on mongo-java-server's H2 backend.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
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

export interface MongoServerHandle {
  url: string;
  kind: string;
  stop: () => Promise<void>;
}

const STAND_IN_DIR = path.join(ROOT, 'tools', 'mongo-stand-in');
const STAND_IN_JAR = path.join(STAND_IN_DIR, 'target', 'mongo-stand-in.jar');
export const STAND_IN_VERSION = '1.47.0';

/** The stand-in; `dataDir` keeps its data in `<dataDir>/mongo.h2` across restarts. */
export async function startStandIn(
  log: (message: string) => void,
  dataDir?: string,
): Promise<MongoServerHandle> {
  const java = which('java');
  if (!java)
    throw new InfraUnavailableError(
      'No java on PATH for the MongoDB stand-in (apt-get install openjdk-17-jre-headless), and no MONGO_URL.',
    );
  ensureMavenBuild(STAND_IN_DIR, STAND_IN_JAR, 'the MongoDB stand-in (mongo-java-server)', log);
  const args = ['-Xss4m', '-jar', STAND_IN_JAR, '0'];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    args.push(path.resolve(dataDir, 'mongo.h2'));
  }
  const child = track(spawn(java, args, { stdio: ['pipe', 'pipe', 'inherit'], detached: true }));
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
    kind:
      `mongo-java-server ${STAND_IN_VERSION} (MongoDB-wire-protocol stand-in: no transactions, no TTL; ` +
      (dataDir ? `H2 file in ${dataDir})` : 'in memory)'),
    stop: async () => {
      // Closing stdin lets it shut down (and commit its H2 store) by itself; SIGTERM if it lingers.
      child.stdin?.end();
      await stopChild(child, 'SIGTERM', 10_000);
    },
  };
}

/** A real mongod from PATH; `dataDir` keeps its files, otherwise a temporary directory is removed at stop. */
export async function startMongod(binary: string, dataDir?: string): Promise<MongoServerHandle> {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'mongod';
  const dbPath = dataDir
    ? path.resolve(dataDir, 'mongod')
    : mkdtempSync(path.join(os.tmpdir(), 'triage-mongod-'));
  mkdirSync(dbPath, { recursive: true });
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
    kind: `real mongod (${version}) from PATH${dataDir ? `, data in ${dbPath}` : ''}`,
    stop: async () => {
      await stopChild(child);
      if (!dataDir) rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

export async function startMemoryServer(): Promise<MongoServerHandle> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create();
  return {
    url: server.getUri().replace(/\/$/, ''),
    kind: 'real mongod via mongodb-memory-server',
    stop: async () => void (await server.stop()),
  };
}

/**
 * A MongoDB of its own for a test that stops it (MongoDB-down behaviour): a `mongod` from PATH
 * when there is one, else the stand-in. `stop()` kills it; its data goes with it.
 */
export async function startPrivateMongo(
  log: (message: string) => void = () => undefined,
): Promise<MongoServerHandle> {
  const mongod = which('mongod');
  return mongod ? startMongod(mongod) : startStandIn(log);
}
