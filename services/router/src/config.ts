import { baseConfigSchema, parseConfig, portSchema } from '@triage/shared';
import { z } from 'zod';

export const routerConfigSchema = baseConfigSchema.extend({
  ROUTER_PORT: portSchema(3001),
  RULES_DIR: z.string().min(1).default('rules'),
  /** How long a claim holds a ticket without a heartbeat. */
  LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60 * 1000),
  /** Optional JSON file of agents ({ agents: [...] }) upserted at start-up: demo and bootstrap data. */
  SEED_AGENTS_FILE: z.string().min(1).optional(),
  ROUTE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

export type RouterConfig = z.output<typeof routerConfigSchema>;

export function loadRouterConfig(env: Record<string, string | undefined>): RouterConfig {
  return parseConfig(routerConfigSchema, env);
}
