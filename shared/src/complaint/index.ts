/** @triage/shared/complaint — what a complaint is: its input, statuses, events and stored shape (types, no driver). */
export * from './complaint-input';
export * from './complaint-status';
export * from './complaint-record';
export * from './complaint-qa';
