import { type FactSources } from '@triage/rules';
import type { Logger } from '@triage/shared/kernel';
import { qaJobSchema, type QaJob } from '@triage/shared/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import type { QaStore } from '../../domain/ports';
import type { RulesetHolder } from '../../domain/ruleset-holder';
import { scoreClosedTicket, type QaOutcome } from '../../domain/score-closed-ticket';

export interface QaProcessorDeps {
  rules: RulesetHolder;
  store: QaStore;
  sourcesAsOf: (at: Date) => FactSources;
  logger: Logger;
}

/** Thin: validate the job, call the use case, map permanent failures to UnrecoverableError. */
export function qaProcessor(deps: QaProcessorDeps) {
  return async (job: Job<QaJob>): Promise<QaOutcome> => {
    const parsed = qaJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad qa job payload: ${parsed.error.message}`);
    const { complaintId, requestId } = parsed.data;
    const { outcome, qa } = await scoreClosedTicket(
      parsed.data,
      deps.rules.get(),
      deps.store,
      deps.sourcesAsOf,
    );
    if (outcome === 'missing') throw new UnrecoverableError(`complaint ${complaintId} does not exist`);
    deps.logger.info(
      { complaintId, requestId, outcome, jobId: job.id, score: qa?.score, fatal: qa?.fatal },
      'ticket auto-QA scored',
    );
    return outcome;
  };
}
