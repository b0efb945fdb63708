/**
 * @triage/shared — the only door services use into shared code. The rules engine is its own
 * package, @triage/rules.
 */
import './http/zod-openapi-setup';
export * from './errors';
export * from './config';
export * from './logger';
export * from './http/api-keys';
export * from './http/auth';
export * from './http/session';
export * from './http/problem';
export * from './http/request-id';
export * from './http/json-body';
export * from './http/health';
export * from './http/server';
export * from './http/base-app';
export * from './queue/contracts';
export * from './queue/redis';
export * from './queue/worker-settings';
export * from './infra/mongo';
export * from './infra/lifecycle';
export * from './infra/rules-watcher';
export * from './complaint/complaint-input';
export * from './complaint/complaint-status';
export * from './complaint/complaint-model';
export * from './complaint/customer-history';
export * from './http/metrics';
export * from './http/openapi';
export * from './http/webhook-signature';
export * from './http/rate-limit';
export * from './sources/source-mapping';
export * from './sources/map-source-payload';
export * from './sources/load-source-mappings';
