/** @triage/shared/sources — CRM source mappings: how a webhook payload becomes a complaint. */
export * from './source-mapping';
export * from './map-source-payload';
export * from './load-source-mappings';
