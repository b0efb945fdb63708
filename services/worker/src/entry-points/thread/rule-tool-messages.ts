/** What the rule-tool threads and the process that starts them say to each other. */
import type { FactSources } from '@triage/rules';
import type { DryRunReport, DryRunRequest } from '../../domain/dry-run-rules';
import type { QaDryRunReport, QaDryRunRequest } from '../../domain/dry-run-qa';
import type { QaReplayReport, QaReplayRequest } from '../../domain/replay-qa';
import type { RuleToolOutcome } from '../../domain/ports';
import type { ReplayReport, ReplayRequest } from '../../domain/replay-rules';
import type { ValidateReport, ValidateRequest } from '../../domain/validate-rules';

/** One task per thread: the main thread posts it once the thread says it is ready. */
export type RuleToolTask =
  | { tool: 'validate'; request: ValidateRequest }
  | { tool: 'dry-run'; request: DryRunRequest }
  | { tool: 'replay'; request: ReplayRequest }
  | { tool: 'qa-dry-run'; request: QaDryRunRequest }
  | { tool: 'qa-replay'; request: QaReplayRequest };

export type FactSourceCall = keyof FactSources;

/** Thread → main. */
export type FromRuleToolThread =
  | { type: 'ready' }
  | {
      type: 'done';
      outcome: RuleToolOutcome<
        ValidateReport | DryRunReport | ReplayReport | QaDryRunReport | QaReplayReport
      >;
    }
  | { type: 'failed'; message: string }
  /** A replay's customer-history lookup, answered by the main thread (which holds the database). */
  | { type: 'facts'; id: number; at: Date; call: FactSourceCall; args: unknown[] };

/** Main → thread. */
export type ToRuleToolThread =
  | { type: 'task'; task: RuleToolTask }
  | { type: 'facts'; id: number; ok: true; value: unknown }
  | { type: 'facts'; id: number; ok: false; message: string };
