/** @triage/shared/http — express building blocks: auth, sessions, problems, limits, metrics, OpenAPI, webhook signatures. */
import './zod-openapi-setup';
export * from './auth';
export * from './session';
export * from './problem';
export * from './request-id';
export * from './json-body';
export * from './health';
export * from './server';
export * from './base-app';
export * from './metrics';
export * from './openapi';
export * from './webhook-signature';
export * from './rate-limit';
