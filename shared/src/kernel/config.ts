import { z } from 'zod';
import { ConfigError } from './errors';
import { parseApiKeys } from './api-keys';

/**
 * Parses an environment with a zod schema once, at start-up, and fails fast with
 * every missing or malformed key listed. Services pass `process.env` from main.ts;
 * nothing else reads the environment.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Keys every service reads. Extend it with `.extend({...})` per service. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  /**
   * BullMQ key prefix. The braces make it a Redis Cluster hash tag, so every key of a
   * queue lands in one slot (BullMQ's Lua scripts need that on Cluster).
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9:_-]+\}$/, 'must be a Redis Cluster hash tag such as {triage}')
    .default('{triage}'),
  API_KEYS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      try {
        return parseApiKeys(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The address the HTTP server binds to; unset: every interface (Node's default, IPv6 and IPv4). */
  HOST: z.string().min(1).optional(),
  /**
   * Express `trust proxy`: unset (false) takes the socket's peer as the client address and ignores
   * X-Forwarded-For; behind a load balancer set the number of proxy hops (1) or their addresses,
   * so the per-address limits see the real client.
   */
  TRUST_PROXY: z
    .string()
    .min(1)
    .optional()
    .transform((raw) => (raw === undefined ? false : /^\d+$/.test(raw) ? Number(raw) : raw)),
  /** Longest time a client may take to send the request headers (slow-header clients get 408). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Longest time a client may take to send the whole request, body included (408 after). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long an idle kept-alive connection stays open; above a load balancer's idle timeout. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Rate-limit window, shared by every limit below and intake's. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  /** Requests per window per API key, on every service. */
  RATE_LIMIT_PER_KEY: z.coerce.number().int().positive().default(600),
  /** Failed authentications (401) per window per client address, on every service. */
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().positive().default(30),
});

export const portSchema = port;

/** An on/off environment flag: true/false or 1/0. */
export const flagSchema = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');
export type BaseConfig = z.output<typeof baseConfigSchema>;

/** The shortest API key or secret production accepts (24 characters: well over 128 bits if random). */
export const MIN_PRODUCTION_SECRET_LENGTH = 24;

/**
 * Every key and secret that ships in this repository (tools/start-stack.ts, docker-compose.yml,
 * the router's development notify secret): public, so never valid in production.
 */
export const demoSecrets: ReadonlySet<string> = new Set([
  'demo-crm-key',
  'demo-admin-key',
  'demo-supervisor-key',
  'demo-qa-lin',
  'demo-agent-alice',
  'demo-agent-bob',
  'demo-agent-wei',
  'demo-agent-maria',
  'demo-webhook-secret',
  'demo-cfpb-secret',
  'demo-notify-secret-change-me',
  'triage-dev-notify-secret',
]);

/**
 * Production refuses a secret that is a shipped demo value or shorter than
 * MIN_PRODUCTION_SECRET_LENGTH; `label` names it in the message without revealing it.
 */
export function refuseWeakSecret(ctx: z.RefinementCtx, key: string, secret: string, label: string): void {
  if (demoSecrets.has(secret)) {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `${label} is a demo value shipped with triage; set one of your own in production`,
    });
  } else if (secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `${label} is shorter than ${MIN_PRODUCTION_SECRET_LENGTH} characters; production needs longer ones`,
    });
  }
}

/**
 * The production checks every service shares: with NODE_ENV=production no API key may be a demo
 * value or short. Services add theirs (webhook and notify secrets) in their own refinement.
 */
export function refuseDemoApiKeys(config: BaseConfig, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV !== 'production') return;
  for (const [key, principal] of config.API_KEYS) {
    refuseWeakSecret(ctx, 'API_KEYS', key, `the ${principal.role} key of ${principal.subject}`);
  }
}
