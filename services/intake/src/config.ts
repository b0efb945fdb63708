import { baseConfigSchema, parseConfig, portSchema } from '@triage/shared';
import { z } from 'zod';

export const intakeConfigSchema = baseConfigSchema.extend({
  INTAKE_PORT: portSchema(3000),
  /** Largest accepted request body, in bytes or with a unit (256kb). */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)?$/i, 'a size such as 262144 or 256kb')
    .default('256kb'),
});

export type IntakeConfig = z.output<typeof intakeConfigSchema>;

export function loadIntakeConfig(env: Record<string, string | undefined>): IntakeConfig {
  return parseConfig(intakeConfigSchema, env);
}
