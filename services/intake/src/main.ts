import { runMain } from '@triage/shared/infra';
import { loadIntakeConfig } from './config';
import { startIntake } from './service';

void runMain('intake', () => loadIntakeConfig(process.env), startIntake);
