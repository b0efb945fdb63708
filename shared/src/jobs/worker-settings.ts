import { z } from 'zod';

/**
 * How fast a job held by a dead process is taken over, for every BullMQ worker of the
 * pipeline (intake's sweeper, the worker's triage, the router's route, SLA, lease, notify and
 * maintenance workers). Set once here, overridable per deployment through the environment.
 *
 * A worker holds a lock on each active job and renews it every `lockRenewTime`
 * (`lockDuration / 2`). When the process dies the lock runs out after at most `lockDuration`;
 * the stalled-job check, run by every live worker every `stalledInterval`, then moves the job
 * back to wait and a live worker takes it. So a job held by a killed process is picked up
 * again within about `lockDuration + stalledInterval` (8 s with the defaults; BullMQ's own
 * 30 s + 30 s took ~54 s). A lock only runs out on a live process whose event loop is blocked
 * for longer than `lockDuration`; every processor here is idempotent (guarded updates,
 * deterministic job ids), so even then the work is done once. `maxStalledCount` is how many
 * take-overs a job gets before it fails rather than crash-looping the fleet.
 */
export const queueWorkerSettingsShape = {
  /** How long a worker's lock on an active job lasts without renewal (ms). */
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(5000),
  /** How often each worker looks for jobs whose lock ran out (ms). */
  QUEUE_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(3000),
  /** Take-overs a job gets before it is failed. */
  QUEUE_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(100).default(2),
};

export interface QueueWorkerSettings {
  QUEUE_LOCK_MS: number;
  QUEUE_STALLED_INTERVAL_MS: number;
  QUEUE_MAX_STALLED_COUNT: number;
}

/** The BullMQ `WorkerOptions` lock and stall fields for `settings`. */
export function workerLockOptions(settings: QueueWorkerSettings): {
  lockDuration: number;
  lockRenewTime: number;
  stalledInterval: number;
  maxStalledCount: number;
} {
  return {
    lockDuration: settings.QUEUE_LOCK_MS,
    lockRenewTime: Math.floor(settings.QUEUE_LOCK_MS / 2),
    stalledInterval: settings.QUEUE_STALLED_INTERVAL_MS,
    maxStalledCount: settings.QUEUE_MAX_STALLED_COUNT,
  };
}
