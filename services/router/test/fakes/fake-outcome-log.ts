import type { OutcomeLog, ResolvedOutcome } from '../../src/domain/ports';

/** Outcomes kept in memory, once per complaint like the repository; `failWith` makes it throw. */
export class FakeOutcomeLog implements OutcomeLog {
  readonly recorded: ResolvedOutcome[] = [];
  failWith: Error | undefined;

  async record(outcome: ResolvedOutcome): Promise<void> {
    if (this.failWith) throw this.failWith;
    if (this.recorded.some((known) => known.complaintId === outcome.complaintId)) return;
    this.recorded.push(outcome);
  }
}
