import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface ChildRouter {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A second router in a process of its own (`node --import tsx services/router/src/main.ts`),
 * sharing nothing with the test process but MongoDB and Redis. Resolves once its log says it
 * listens (the port comes from that line, since it binds port 0).
 */
export function spawnRouter(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildRouter> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'services', 'router', 'src', 'main.ts')],
    { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the child router did not listen within ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the child router exited with ${code}: ${stderr.join('')}`));
    });
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.includes('router listening')) return;
      const port = (JSON.parse(line) as { port?: number }).port;
      if (!port) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      // Keep draining stdout so the child never blocks on a full pipe.
      child.stdout?.resume();
      resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, stop });
    });
  });
}
