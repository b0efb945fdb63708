import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface ChildService {
  pid: number;
  /** Where its HTTP server listens (it binds port 0; the port comes from its log line). */
  url: string;
  /** Resolves once the process has exited (however it was stopped). */
  exited: Promise<void>;
  /** SIGKILL: the process dies holding whatever it holds (locks, jobs), as in a crash. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A worker or router in a process of its own (`node --import tsx services/<name>/src/main.ts`),
 * sharing nothing with the test process but MongoDB and Redis. Resolves once its log says it
 * listens.
 */
export function spawnService(
  name: 'worker' | 'router',
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ChildService> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'services', name, 'src', 'main.ts')],
    { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (which: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(which);
    await exited;
  };
  const handle: ChildService = {
    pid: child.pid ?? -1,
    url: '',
    exited,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void handle.kill();
      reject(new Error(`the child ${name} did not listen within ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the child ${name} exited with ${code}: ${stderr.join('')}`));
    });
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.includes(`${name} listening`)) return;
      const { port } = JSON.parse(line) as { port?: number };
      if (port) handle.url = `http://127.0.0.1:${port}`;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      // Keep draining stdout so the child never blocks on a full pipe.
      child.stdout?.resume();
      resolve(handle);
    });
  });
}
