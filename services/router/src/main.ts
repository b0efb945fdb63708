import { runMain } from '@triage/shared/infra';
import { loadRouterConfig } from './config';
import { startRouter } from './service';

void runMain('router', () => loadRouterConfig(process.env), startRouter);
