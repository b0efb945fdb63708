import { z } from 'zod';

/** Queue names. Keys live under the configured prefix, e.g. `{triage}:triage:...`. */
export const pipelineJobQueues = {
  /** intake → worker: evaluate rules for a stored complaint. */
  triage: 'triage',
  /** worker → router: put a triaged complaint in its agent queue. */
  route: 'route',
  /** router → worker: score a closed ticket with the auto-QA rules (rules/qa.json). */
  qa: 'qa',
} as const;

/** Job payloads carry ids, never the complaint itself: MongoDB is the source of truth. */
export const triageJobSchema = z.object({
  complaintId: z.string().min(1),
  requestId: z.string().optional(),
});
export type TriageJob = z.output<typeof triageJobSchema>;

export const routeJobSchema = z.object({
  complaintId: z.string().min(1),
  requestId: z.string().optional(),
});
export type RouteJob = z.output<typeof routeJobSchema>;

export const qaJobSchema = z.object({
  complaintId: z.string().min(1),
  /** Which close: the ticket's reopen count when it closed. */
  closeNumber: z.number().int().min(0),
  requestId: z.string().optional(),
});
export type QaJob = z.output<typeof qaJobSchema>;

/**
 * Deterministic job ids: adding the same complaint twice is a no-op in BullMQ, so a
 * retried request, a sweeper and a duplicate delivery never triage one complaint twice.
 */
export const jobIds = {
  triage: (complaintId: string) => `triage-${complaintId}`,
  route: (complaintId: string) => `route-${complaintId}`,
  /** One QA job per close of a ticket. */
  qa: (complaintId: string, closeNumber: number) => `qa-${complaintId}-${closeNumber}`,
};

export const defaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
