/**
 * A rule-tool thread: runs one validate, dry-run or replay off the worker's event loop
 * ({@link RuleToolThreads} starts it, and terminates it when the time budget runs out).
 */
import { parentPort } from 'node:worker_threads';
import type { FactSources } from '@triage/rules';
import { dryRunQa } from '../../domain/dry-run-qa';
import { dryRunRules } from '../../domain/dry-run-rules';
import { replayQaCandidate } from '../../domain/replay-qa';
import { replayCandidate } from '../../domain/replay-rules';
import { validateRules } from '../../domain/validate-rules';
import type { FactSourceCall, FromRuleToolThread, ToRuleToolThread } from './rule-tool-messages';

const port = parentPort;
if (port === null) throw new Error('rule-tool-thread runs only as a worker thread');

const post = (message: FromRuleToolThread) => port.postMessage(message);

let nextCall = 0;
const pendingCalls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

/** Fact sources as of `at` whose every lookup is a question to the main thread. */
function remoteFactSources(at: Date): FactSources {
  const ask = <T>(call: FactSourceCall, args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      nextCall += 1;
      pendingCalls.set(nextCall, { resolve: resolve as (value: unknown) => void, reject });
      post({ type: 'facts', id: nextCall, at, call, args });
    });
  return {
    recentComplaintIds: (customerId, days, excludeId) =>
      ask('recentComplaintIds', [customerId, days, excludeId]),
    openComplaints: (customerId, excludeId) => ask('openComplaints', [customerId, excludeId]),
    isBlocklisted: (customerId, blocklistAt) => ask('isBlocklisted', [customerId, blocklistAt]),
    priorOutcomes: (customerId, excludeId) => ask('priorOutcomes', [customerId, excludeId]),
  };
}

port.on('message', (message: ToRuleToolThread) => {
  if (message.type === 'facts') {
    const pending = pendingCalls.get(message.id);
    pendingCalls.delete(message.id);
    if (message.ok) pending?.resolve(message.value);
    else pending?.reject(new Error(message.message));
    return;
  }
  const { task } = message;
  const run = (() => {
    switch (task.tool) {
      case 'validate':
        return Promise.resolve().then(() => validateRules(task.request));
      case 'dry-run':
        return dryRunRules(task.request);
      case 'replay':
        return replayCandidate(task.request, remoteFactSources);
      case 'qa-dry-run':
        return dryRunQa(task.request, remoteFactSources);
      case 'qa-replay':
        return replayQaCandidate(task.request, remoteFactSources);
    }
  })();
  run.then(
    (outcome) => post({ type: 'done', outcome }),
    (error: unknown) => post({ type: 'failed', message: (error as Error).message ?? String(error) }),
  );
});

post({ type: 'ready' });
