/** Child-process and port helpers shared by the embedded MongoDB and Redis starters. */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export class InfraUnavailableError extends Error {
  override name = 'InfraUnavailableError';
}

export function which(command: string): string | undefined {
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

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
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

export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 5000,
): Promise<void> {
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
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Runs `mvn package` for a tools/ Maven project when its output is missing or older than its
 * pom.xml or sources, once per machine (the output is git-ignored).
 */
export function ensureMavenBuild(
  projectDir: string,
  output: string,
  what: string,
  log: (message: string) => void,
): void {
  const inputs = [path.join(projectDir, 'pom.xml'), ...javaSources(path.join(projectDir, 'src'))];
  const built = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (built > 0 && inputs.every((input) => statSync(input).mtimeMs <= built)) return;
  const mvn = which('mvn');
  if (!mvn) {
    throw new InfraUnavailableError(
      `${what} is not built (${output}) and Maven is not installed. ` +
        'Install Maven and Java 17 (Debian: apt-get install maven openjdk-17-jre-headless), or set MONGO_URL and REDIS_URL to running servers.',
    );
  }
  log(`building ${what} from Maven Central, once…`);
  const result = spawnSync(mvn, ['-q', '-B', '-f', path.join(projectDir, 'pom.xml'), 'package'], {
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(output)) {
    throw new InfraUnavailableError(`Building ${what} failed (mvn exit ${result.status}).`);
  }
  // Unpacked files keep their archive dates: stamp the output so the next start sees it fresh.
  const now = new Date();
  utimesSync(output, now, now);
}

function javaSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found = spawnSync('find', [dir, '-name', '*.java'], { encoding: 'utf8' }).stdout;
  return found.split('\n').filter(Boolean);
}
