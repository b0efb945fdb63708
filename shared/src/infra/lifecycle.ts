import { createLogger, type Logger } from '../kernel';

export interface Stoppable {
  stop: () => Promise<void>;
}

/**
 * SIGTERM/SIGINT call `stop()` once; a second signal or a stop slower than `timeoutMs`
 * exits hard so an orchestrator is never left waiting.
 */
export function stopOnSignals(service: Stoppable, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful stop timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    service.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The whole of a service's main.ts: parse config (failing fast, every problem listed),
 * start, and stop gracefully on SIGTERM/SIGINT.
 */
export async function runMain<C extends { LOG_LEVEL: string; SHUTDOWN_TIMEOUT_MS: number }>(
  service: string,
  loadConfig: () => C,
  start: (config: C, logger: Logger) => Promise<Stoppable>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    createLogger(service, 'info').fatal({ err: error }, 'invalid configuration');
    process.exit(1);
  }
  const logger = createLogger(service, config.LOG_LEVEL);
  try {
    const running = await start(config, logger);
    stopOnSignals(running, logger, config.SHUTDOWN_TIMEOUT_MS);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
}
