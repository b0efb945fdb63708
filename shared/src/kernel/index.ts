/** @triage/shared/kernel — errors, configuration, logging and API keys: no framework, no driver. */
export * from './errors';
export * from './validation';
export * from './config';
export * from './logger';
export * from './api-keys';
export * from './source-name';
