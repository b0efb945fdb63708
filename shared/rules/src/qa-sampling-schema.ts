import { z } from 'zod';

/**
 * Which closed tickets a QA reviewer reads (rules/qa-sampling.json, read by the router): a random
 * share per agent and week, plus every ticket of the targeted kinds.
 */
export const qaSamplingFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    random: z
      .object({
        /** The expected share of each agent's closed tickets per ISO week drawn at random. */
        percentPerAgentPerWeek: z.number().min(0).max(100),
      })
      .strict(),
    targeted: z
      .object({
        /** Every ticket whose first-response or resolution SLA was breached. */
        slaBreach: z.boolean().default(true),
        /** Every ticket that was reopened. */
        reopened: z.boolean().default(true),
        /** Every ticket whose survey scored this or less (1–5); absent: none. */
        csatAtMost: z.number().int().min(1).max(5).optional(),
        /** Every ticket whose auto-QA failed a fatal criterion. */
        fatalAutoQa: z.boolean().default(true),
      })
      .strict(),
    /** A review not scored this long after it was opened is overdue (shown to supervisors). */
    reviewDueHours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(72),
    /** How long after the review an agent may dispute it. */
    disputeWithinHours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(120),
  })
  .strict();
export type QaSamplingFile = z.output<typeof qaSamplingFileSchema>;
