import { type FactSources } from '@triage/rules';
import type { Logger } from '@triage/shared/kernel';
import { triageJobSchema, type TriageJob } from '@triage/shared/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import type { RulesetHolder } from '../../domain/ruleset-holder';
import { triageComplaint } from '../../domain/triage-complaint';
import type { RouteQueue, TriageStore } from '../../domain/ports';
import type { BlocklistRulesDeps } from '../../domain/apply-blocklist-rules';

export interface TriageProcessorDeps {
  rules: RulesetHolder;
  store: TriageStore;
  sourcesAsOf: (at: Date) => FactSources;
  routeQueue: RouteQueue;
  logger: Logger;
  observeEvaluation?: (seconds: number) => void;
  /** Automatic blocklisting after each decision (rules/blocklist.json). */
  blocklisting?: BlocklistRulesDeps;
}

/** Thin: validate the job, call the use case, map permanent failures to UnrecoverableError. */
export function triageProcessor(deps: TriageProcessorDeps) {
  return async (job: Job<TriageJob>): Promise<string> => {
    const parsed = triageJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad triage job payload: ${parsed.error.message}`);
    const { complaintId, requestId } = parsed.data;
    const outcome = await triageComplaint(
      complaintId,
      requestId,
      deps.rules.get(),
      deps.store,
      deps.sourcesAsOf,
      deps.routeQueue,
      deps.observeEvaluation,
      deps.blocklisting,
    );
    if (outcome === 'missing') throw new UnrecoverableError(`complaint ${complaintId} does not exist`);
    deps.logger.info({ complaintId, requestId, outcome, jobId: job.id }, 'complaint triaged');
    return outcome;
  };
}
