import {
  baseConfigSchema,
  flagSchema as flag,
  parseConfig,
  portSchema,
  refuseDemoApiKeys,
} from '@triage/shared/kernel';
import { queueWorkerSettingsShape } from '@triage/shared/jobs';
import { z } from 'zod';

export const workerConfigSchema = baseConfigSchema.extend({
  ...queueWorkerSettingsShape,
  WORKER_PORT: portSchema(3002),
  /** The rules/ directory (relative to the working directory). */
  RULES_DIR: z.string().min(1).default('rules'),
  /** Reload rules/ when a file changes (a broken change is rejected; the last good ruleset keeps serving). */
  RULES_WATCH: flag(true),
  /** Quiet time after the last file event before rules/ is reloaded. */
  RULES_WATCH_DEBOUNCE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /**
   * Time one rule validate, dry-run or replay may take (compiling the candidate and evaluating), in a worker
   * thread off the event loop; over it the thread is stopped and the answer is 422.
   */
  RULES_TOOL_BUDGET_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Rule validations, dry-runs and replays running at once (one thread each); one more is answered 503. */
  RULES_TOOL_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  /** Complaints evaluated at once by this process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  return parseConfig(workerConfigSchema.superRefine(refuseDemoApiKeys), env);
}
