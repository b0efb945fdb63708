/** @triage/shared/infra — MongoDB, Redis, the complaint collection, process lifecycle, the rules watcher. */
export * from './mongo';
export * from './redis';
export * from './complaint-model';
export * from './customer-history';
export * from './lifecycle';
export * from './rules-watcher';
