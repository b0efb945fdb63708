import { setFlagsFromString } from 'node:v8';
import { runMain } from '@triage/shared/infra';
import { loadWorkerConfig } from './config';
import { startWorker } from './service';

// A backstop behind matchesRegex's safe-pattern check: V8 falls back to its linear-time regexp
// engine when a pattern backtracks excessively, so no rule can stall the worker.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

void runMain('worker', () => loadWorkerConfig(process.env), startWorker);
