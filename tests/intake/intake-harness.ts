import type { ComplaintRecord } from '@triage/shared/complaint';
import { signWebhook } from '@triage/shared/http';
import { complaintModel } from '@triage/shared/infra';
import mongoose from 'mongoose';
import request from 'supertest';
import { loadIntakeConfig } from '../../services/intake/src/config';
import { startIntake, type RunningIntake } from '../../services/intake/src/service';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../support/test-infra';
import { testKeys } from '../support/test-stack';

/** Webhook secrets of the intake tests: generic-crm is mid-rotation (two secrets at once). */
export const webhookSecrets = {
  genericOld: 'generic-old-secret-000000000001',
  genericNew: 'generic-new-secret-000000000002',
  cfpb: 'cfpb-secret-00000000000000000003',
  retired: 'retired-secret-0000000000000004',
};

export const webhookSecretsEnv = [
  `generic-crm:${webhookSecrets.genericOld}`,
  `generic-crm:${webhookSecrets.genericNew}`,
  `cfpb:${webhookSecrets.cfpb}`,
].join(',');

/** The environment of one intake with a database and queue prefix of its own. */
export function intakeEnv(label: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: testMongoUrl(label),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    API_KEYS: [
      `${testKeys.crm}:crm:test-crm`,
      `${testKeys.admin}:admin:test-admin`,
      'test-crm-key-0002:crm:test-crm-2',
    ].join(','),
    INTAKE_PORT: '0',
    RULES_DIR: 'rules',
    WEBHOOK_SECRETS: webhookSecretsEnv,
    ...overrides,
  };
}

/** Intake alone (no worker, no router), for what happens at the door. */
export async function startIntakeAlone(
  label: string,
  overrides: Record<string, string> = {},
): Promise<{ intake: RunningIntake; env: Record<string, string> }> {
  const env = intakeEnv(label, overrides);
  return { intake: await startIntake(loadIntakeConfig(env)), env };
}

/** A delivery as the CRM sends it: the exact bytes, signed over "<t>.<bytes>". */
export function deliver(
  baseUrl: string,
  source: string,
  payload: unknown,
  options: { secret?: string | string[]; at?: Date; header?: string; raw?: string } = {},
): request.Test {
  const raw = options.raw ?? JSON.stringify(payload);
  const header = options.header ?? signWebhook(options.secret ?? webhookSecrets.genericNew, raw, options.at);
  return request(baseUrl)
    .post(`/v1/webhooks/${source}`)
    .set('Content-Type', 'application/json')
    .set('X-Triage-Signature', header)
    .send(raw);
}

/** Reads the complaints collection of a test database directly (to count what was written). */
export async function withComplaints<T>(
  mongoUrl: string,
  read: (model: ReturnType<typeof complaintModel>) => Promise<T>,
): Promise<T> {
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  try {
    return await read(complaintModel(connection));
  } finally {
    await connection.close();
  }
}

export async function findComplaints(
  mongoUrl: string,
  filter: Record<string, unknown>,
): Promise<ComplaintRecord[]> {
  return withComplaints(mongoUrl, (model) => model.find(filter).lean<ComplaintRecord[]>());
}

/** A generic-crm ticket as a CRM would post it. */
export function buildCrmTicket(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `T-${Math.random().toString(36).slice(2, 10)}`;
  return {
    id,
    customer: { id: `crm-${id}`, name: 'John Miller', tier: 'Gold' },
    channel: 'E-mail',
    priority: 'P2',
    subject: 'Double charge',
    description: 'I was charged twice for the same order and nobody answers my e-mails.',
    language: 'en',
    createdAt: '2024-05-01T09:30:00Z',
    tags: ['web-order'],
    ...overrides,
  };
}

/** A CFPB record with the CSV's column names. */
export function buildCfpbRecord(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'Date received': '2023-08-25',
    Product: 'Checking or savings account',
    'Sub-product': 'Checking account',
    Issue: 'Managing an account',
    'Sub-issue': 'Deposits and withdrawals',
    'Consumer complaint narrative': 'The bank froze my account and I cannot pay for my medication.',
    Company: 'BIG BANK',
    State: 'FL',
    Tags: 'Older American',
    'Submitted via': 'Phone',
    'Complaint ID': String(7_000_000 + Math.floor(Math.random() * 1_000_000)),
    ...overrides,
  };
}
