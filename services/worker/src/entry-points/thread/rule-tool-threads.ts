import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FactSources } from '@triage/rules';
import { AppError, ServiceUnavailableError, type Logger } from '@triage/shared/kernel';
import type { DryRunReport, DryRunRequest } from '../../domain/dry-run-rules';
import type { QaDryRunReport, QaDryRunRequest } from '../../domain/dry-run-qa';
import type { QaReplayReport, QaReplayRequest } from '../../domain/replay-qa';
import type { RuleToolOutcome, RuleToolRunner } from '../../domain/ports';
import type { ReplayReport, ReplayRequest } from '../../domain/replay-rules';
import type { ValidateReport, ValidateRequest } from '../../domain/validate-rules';
import type { FromRuleToolThread, RuleToolTask, ToRuleToolThread } from './rule-tool-messages';

/** 422: the candidate (or the replay) cost more than a rule tool may spend. */
export class RuleToolOverBudgetError extends AppError {
  constructor(tool: RuleToolTask['tool'], overWhat: string) {
    super(
      'rule-tool-over-budget',
      422,
      'Rule tool over budget',
      `The ruleset took ${overWhat} to ${tool}; it was stopped and nothing is reported. ` +
        'Make the candidate cheaper (fewer or simpler regexes and keyword lists), replay fewer complaints, ' +
        'or raise RULES_TOOL_BUDGET_MS.',
    );
  }
}

export interface RuleToolThreadOptions {
  /** Time one validate, dry-run or replay may take once its thread is running (RULES_TOOL_BUDGET_MS). */
  budgetMs: number;
  /** Rule tools running at once (RULES_TOOL_THREADS); one more gets 503. */
  maxThreads: number;
  /** Heap one thread may use before it is stopped (422). */
  maxHeapMb?: number;
  logger: Logger;
}

/** How long a thread may take to load its code before it counts as broken. */
const startupMs = 30_000;

/**
 * The thread's code: the compiled .js next to this file (the Docker image, `npm run build`), or
 * the TypeScript source (jest, `npm start`), which tsx — a dev dependency, only there when the
 * source is — compiles as the thread loads it.
 */
const threadScript = path.join(__dirname, `rule-tool-thread${path.extname(__filename)}`);

function startThread(maxHeapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (path.extname(threadScript) === '.ts') {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(threadScript)});`, {
      eval: true,
      execArgv: [],
      resourceLimits,
    });
  }
  return new Worker(threadScript, { resourceLimits });
}

/**
 * Runs validations, dry-runs and replays in worker threads, one thread per request and at most
 * `maxThreads` at once, so a costly candidate never stalls the HTTP server, /health or the
 * triage of live complaints. A thread that outlives its budget is terminated (422); a request
 * finding every thread busy gets 503 with Retry-After.
 */
export class RuleToolThreads implements RuleToolRunner {
  private readonly threads = new Set<Worker>();

  constructor(private readonly options: RuleToolThreadOptions) {}

  validate(request: ValidateRequest): Promise<RuleToolOutcome<ValidateReport>> {
    return this.run<ValidateReport>({ tool: 'validate', request });
  }

  dryRun(request: DryRunRequest): Promise<RuleToolOutcome<DryRunReport>> {
    return this.run<DryRunReport>({ tool: 'dry-run', request });
  }

  replay(
    request: ReplayRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<ReplayReport>> {
    return this.run<ReplayReport>({ tool: 'replay', request }, factSourcesAsOf);
  }

  qaDryRun(
    request: QaDryRunRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<QaDryRunReport>> {
    return this.run<QaDryRunReport>({ tool: 'qa-dry-run', request }, factSourcesAsOf);
  }

  qaReplay(
    request: QaReplayRequest,
    factSourcesAsOf: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<QaReplayReport>> {
    return this.run<QaReplayReport>({ tool: 'qa-replay', request }, factSourcesAsOf);
  }

  /** Stops every running thread (their requests fail); for shutdown. */
  async close(): Promise<void> {
    await Promise.all([...this.threads].map((thread) => thread.terminate()));
    this.threads.clear();
  }

  private run<Report>(
    task: RuleToolTask,
    factSourcesAsOf?: (at: Date) => FactSources,
  ): Promise<RuleToolOutcome<Report>> {
    const { budgetMs, maxThreads, logger } = this.options;
    const maxHeapMb = this.options.maxHeapMb ?? 512;
    if (this.threads.size >= maxThreads) {
      return Promise.reject(
        new ServiceUnavailableError(
          `All ${maxThreads} rule-tool threads are busy with other dry-runs or replays; try again shortly.`,
          Math.max(1, Math.ceil(budgetMs / 1000)),
        ),
      );
    }
    const thread = startThread(maxHeapMb);
    this.threads.add(thread);
    const started = performance.now();
    return new Promise<RuleToolOutcome<Report>>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, outcome?: RuleToolOutcome<Report>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.threads.delete(thread);
        void thread.terminate();
        logger.debug(
          { tool: task.tool, ms: Math.round(performance.now() - started), failed: error?.message },
          'rule tool finished',
        );
        if (error) reject(error);
        else resolve(outcome as RuleToolOutcome<Report>);
      };
      const send = (message: ToRuleToolThread) => {
        if (!settled) thread.postMessage(message);
      };
      let timer = setTimeout(
        () => finish(new ServiceUnavailableError(`The ${task.tool} thread did not start in time.`)),
        startupMs,
      );
      thread.on('message', (message: FromRuleToolThread) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(timer);
            timer = setTimeout(
              () => finish(new RuleToolOverBudgetError(task.tool, `longer than ${budgetMs} ms`)),
              budgetMs,
            );
            send({ type: 'task', task });
            return;
          case 'done':
            return finish(undefined, message.outcome as RuleToolOutcome<Report>);
          case 'failed':
            return finish(new Error(`${task.tool} failed: ${message.message}`));
          case 'facts': {
            const sources = factSourcesAsOf?.(message.at);
            if (sources === undefined) {
              send({ type: 'facts', id: message.id, ok: false, message: 'no fact sources for this tool' });
              return;
            }
            const lookup = sources[message.call] as ((...args: unknown[]) => Promise<unknown>) | undefined;
            // priorOutcomes is optional: sources without it know no resolved complaints.
            const answer = lookup ? lookup.apply(sources, message.args) : Promise.resolve([]);
            answer.then(
              (value) => send({ type: 'facts', id: message.id, ok: true, value }),
              (error: unknown) =>
                send({ type: 'facts', id: message.id, ok: false, message: (error as Error).message }),
            );
            return;
          }
        }
      });
      thread.on('error', (error: Error & { code?: string }) =>
        finish(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new RuleToolOverBudgetError(task.tool, `more than ${maxHeapMb} MB of memory`)
            : error,
        ),
      );
      thread.on('exit', (code) => finish(new Error(`the ${task.tool} thread exited (code ${code}) early`)));
    });
  }
}
