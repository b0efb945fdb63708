import { runMain } from '@triage/shared';
import { loadIntakeConfig } from './config';
import { startIntake } from './service';

void runMain('intake', () => loadIntakeConfig(process.env), startIntake);
