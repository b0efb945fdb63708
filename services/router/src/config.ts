import {
  baseConfigSchema,
  flagSchema,
  parseConfig,
  portSchema,
  refuseDemoApiKeys,
  refuseWeakSecret,
} from '@triage/shared/kernel';
import { queueWorkerSettingsShape } from '@triage/shared/jobs';
import { z } from 'zod';

const DEV_NOTIFY_SECRET = 'triage-dev-notify-secret';
const DEV_SESSION_SECRET = 'triage-dev-session-secret-change-me';

export const routerConfigSchema = baseConfigSchema
  .extend({
    ...queueWorkerSettingsShape,
    ROUTER_PORT: portSchema(3001),
    RULES_DIR: z.string().min(1).default('rules'),
    /** Whether rules/ is watched: an edited queues.json replaces the queues once it validates. */
    RULES_WATCH: flagSchema(true),
    /** Quiet time after the last file event before rules/ is reloaded. */
    RULES_WATCH_DEBOUNCE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
    /** How long a claim holds a ticket without a heartbeat. */
    LEASE_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(15 * 60 * 1000),
    /** Optional JSON file of agents ({ agents: [...] }) upserted at start-up: demo and bootstrap data. */
    SEED_AGENTS_FILE: z.string().min(1).optional(),
    ROUTE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /** SLA timers handled at once per process; timers are short database updates. */
    SLA_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    /** Signs outgoing notify webhooks (X-Triage-Signature), as the CRMs sign theirs to us. */
    NOTIFY_WEBHOOK_SECRET: z.string().min(16).default(DEV_NOTIFY_SECRET),
    /**
     * Signs browser sessions (dashboard, bull-board): every router process needs the same one.
     * Required in production.
     */
    SESSION_SECRET: z.string().min(32, 'at least 32 characters').default(DEV_SESSION_SECRET),
    /** How long a browser session lasts after signing in (default 30 min). */
    SESSION_TTL_MS: z.coerce
      .number()
      .int()
      .min(10_000)
      .max(12 * 3600_000)
      .default(30 * 60_000),
    /** Marks the session cookie Secure (set it when the router is served over HTTPS). */
    SESSION_COOKIE_SECURE: flagSchema(false),
    NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
    /** First retry delay of a failed notification; it doubles on every further attempt. */
    NOTIFY_BACKOFF_MS: z.coerce.number().int().min(10).default(1000),
    NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    /** Attempts of one CRM delivery (rules/sources/*.json `outbound`) before it is dead-lettered. */
    CRM_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(15),
    /** First retry delay of a CRM delivery; it doubles every attempt (15 attempts from 2 s: about 18 hours). */
    CRM_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
    /** How long a satisfaction survey link stays valid after the resolve (default 14 days). */
    SURVEY_TTL_MS: z.coerce
      .number()
      .int()
      .min(60_000)
      .max(90 * 86_400_000)
      .default(14 * 86_400_000),
    /** Where customers reach the router's survey page: the links sent to CRMs start with it. */
    SURVEY_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3001'),
    /** How often the safety-net sweep runs (lost lease timers, waiting push tickets); 0 turns it off. */
    MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    /** How often complaint rates are counted and checked for spikes (rules/complaint-rates.json); 0 = never on a schedule. */
    RATE_MONITOR_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(5 * 60_000),
    /** A capacity counter quiet for this long may be corrected from the tickets (ADR 0003). */
    CAPACITY_COUNTER_QUIET_MS: z.coerce.number().int().min(0).default(30_000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.NOTIFY_WEBHOOK_SECRET === DEV_NOTIFY_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFY_WEBHOOK_SECRET'],
        message: 'set a secret of your own in production (the default is public)',
      });
    } else if (config.NODE_ENV === 'production') {
      refuseWeakSecret(ctx, 'NOTIFY_WEBHOOK_SECRET', config.NOTIFY_WEBHOOK_SECRET, 'the notify secret');
    }
    if (config.NODE_ENV === 'production' && config.SESSION_SECRET === DEV_SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'set a secret of your own in production (the default is public)',
      });
    } else if (config.NODE_ENV === 'production') {
      refuseWeakSecret(ctx, 'SESSION_SECRET', config.SESSION_SECRET, 'the session secret');
    }
    refuseDemoApiKeys(config, ctx);
  });

export type RouterConfig = z.output<typeof routerConfigSchema>;

export function loadRouterConfig(env: Record<string, string | undefined>): RouterConfig {
  return parseConfig(routerConfigSchema, env);
}
