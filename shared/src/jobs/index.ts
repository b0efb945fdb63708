/** @triage/shared/jobs — the BullMQ queues between the services: names, job data, options, lock settings. */
export * from './job-contracts';
export * from './worker-settings';
