import {
  baseConfigSchema,
  parseConfig,
  portSchema,
  refuseDemoApiKeys,
  refuseWeakSecret,
  sourceNameSchema,
} from '@triage/shared/kernel';
import { queueWorkerSettingsShape } from '@triage/shared/jobs';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS } from '@triage/shared/http';
import { z } from 'zod';

/** Webhook secrets by source. A source may have several at once while its secret is rotated. */
export type WebhookSecrets = ReadonlyMap<string, readonly string[]>;

const MIN_SECRET_LENGTH = 16;

/**
 * Parses `WEBHOOK_SECRETS`: comma-separated `source:secret`; list a source twice to accept two
 * secrets during a rotation. A secret may contain ':' (only the first one separates).
 */
export function parseWebhookSecrets(raw: string): WebhookSecrets {
  const secrets = new Map<string, string[]>();
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const source = separator > 0 ? entry.slice(0, separator) : '';
    const secret = separator > 0 ? entry.slice(separator + 1) : '';
    if (!sourceNameSchema.safeParse(source).success) {
      throw new Error(
        `WEBHOOK_SECRETS entry for "${source || entry.slice(0, 20)}" is not source:secret with a source of lower-case letters, digits, - and _`,
      );
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `WEBHOOK_SECRETS: the secret for "${source}" is shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
    const list = secrets.get(source) ?? [];
    if (!list.includes(secret)) list.push(secret);
    secrets.set(source, list);
  }
  return secrets;
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const intakeConfigSchema = baseConfigSchema.extend({
  ...queueWorkerSettingsShape,
  INTAKE_PORT: portSchema(3000),
  /** Largest accepted request body, in bytes or with a unit (256kb). */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)?$/i, 'a size such as 262144 or 256kb')
    .default('256kb'),
  /** The rules/ directory; source mappings are read from its sources/ folder. */
  RULES_DIR: z.string().min(1).default('rules'),
  /** `source:secret,…` for POST /v1/webhooks/:source; a source listed twice has two valid secrets. */
  WEBHOOK_SECRETS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      try {
        return parseWebhookSecrets(raw) as WebhookSecrets;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** How far a webhook signature's timestamp may be from our clock. */
  WEBHOOK_TOLERANCE_SECONDS: positiveInt(DEFAULT_WEBHOOK_TOLERANCE_SECONDS),
  /** How long a request waits for MongoDB to be found before answering 503. */
  MONGO_TIMEOUT_MS: positiveInt(3000),
  /** How long a request waits for Redis to take the triage job before leaving it to the sweeper. */
  ENQUEUE_TIMEOUT_MS: positiveInt(1500),
  /** How often the sweeper looks for complaints stuck in `received` (one sweep per tick for all intakes). */
  SWEEP_INTERVAL_MS: positiveInt(15_000),
  /** A complaint must have waited this long in `received` before the sweeper enqueues it. */
  SWEEP_MIN_AGE_MS: positiveInt(5_000),
  /** Complaints enqueued per sweep at most. */
  SWEEP_BATCH_SIZE: positiveInt(500),
  // RATE_LIMIT_WINDOW_MS and RATE_LIMIT_PER_KEY are shared by every service (baseConfigSchema).
  /** Signed deliveries per window per webhook source. */
  RATE_LIMIT_PER_SOURCE: positiveInt(1200),
});

/** Production refuses demo or short API keys and webhook secrets (see README, Production checklist). */
const intakeProductionChecks = intakeConfigSchema.superRefine((config, ctx) => {
  refuseDemoApiKeys(config, ctx);
  if (config.NODE_ENV !== 'production') return;
  for (const [source, secrets] of config.WEBHOOK_SECRETS) {
    for (const secret of secrets)
      refuseWeakSecret(ctx, 'WEBHOOK_SECRETS', secret, `the secret of "${source}"`);
  }
});

export type IntakeConfig = z.output<typeof intakeConfigSchema>;

export function loadIntakeConfig(env: Record<string, string | undefined>): IntakeConfig {
  return parseConfig(intakeProductionChecks, env);
}
