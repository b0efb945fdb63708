import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../kernel';

export interface RulesWatcher {
  /** Stops watching and waits for a reload in flight. */
  close(): Promise<void>;
}

/**
 * Watches a rules/ directory and calls `reload` once things settle: editors write a file in
 * several steps (truncate, write, rename a temporary file), so events are debounced, and
 * reloads never overlap (a change during a reload triggers one more). Watching the
 * directory, not the files, also sees files replaced by rename. Only top-level *.json
 * files matter (rules/tests and rules/schema are not part of the ruleset).
 */
export function watchRulesDirectory(
  dir: string,
  options: { debounceMs: number; reload: () => Promise<unknown>; logger: Logger },
): RulesWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const run = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await options.reload();
        } catch (error) {
          options.logger.error({ err: error, rulesDir: dir }, 'rules reload failed');
        }
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
  };

  const watcher: FSWatcher = watch(dir, { persistent: false }, (_event, filename) => {
    if (filename !== null && !filename.toString().endsWith('.json')) return;
    clearTimeout(timer);
    timer = setTimeout(run, options.debounceMs);
  });
  watcher.on('error', (error) =>
    options.logger.error({ err: error, rulesDir: dir }, 'watching the rules directory failed'),
  );

  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await running;
    },
  };
}
