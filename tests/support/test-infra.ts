import { randomBytes } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: integration tests must run through jest's integration project (tests/global-setup.ts).`,
    );
  return value;
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A MongoDB URL naming a database of its own, so test files never share state. */
export function testMongoUrl(label = 'test'): string {
  const url = new URL(required('TRIAGE_TEST_MONGO_URL'));
  url.pathname = `/triage-${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}-${uniqueSuffix()}`;
  return url.toString();
}

export function testRedisUrl(): string {
  return required('TRIAGE_TEST_REDIS_URL');
}

/** A BullMQ prefix of its own (a Cluster hash tag, as in production). */
export function testQueuePrefix(): string {
  return `{t-${uniqueSuffix()}}`;
}
