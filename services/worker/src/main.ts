import { runMain } from '@triage/shared';
import { loadWorkerConfig } from './config';
import { startWorker } from './service';

void runMain('worker', () => loadWorkerConfig(process.env), startWorker);
