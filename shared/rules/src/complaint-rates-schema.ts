import { z } from 'zod';

/** The series complaint counts are kept for: one per value of each dimension. */
export const complaintRateDimensions = ['product', 'category', 'queue', 'source'] as const;
export type ComplaintRateDimension = (typeof complaintRateDimensions)[number];

/** When a count is a spike, for one period (an hour or a day). */
export const spikeThresholdSchema = z
  .object({
    /** Fewer complaints than this are never a spike, however quiet the baseline was. */
    minCount: z.number().int().min(1).max(1_000_000),
    /** A spike is above mean + deviations × standard deviation of the baseline weeks. */
    deviations: z.number().positive().max(100),
    /** When the baseline never varied (standard deviation 0): a spike is above ratio × mean. */
    ratio: z.number().min(1).max(1000),
  })
  .strict();
export type SpikeThreshold = z.output<typeof spikeThresholdSchema>;

/** Complaint-rate monitoring (rules/complaint-rates.json, read by the router). */
export const complaintRatesFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    /** The dimensions whose spikes raise alerts (counts are kept for all four). */
    alertOn: z
      .array(z.enum(complaintRateDimensions))
      .max(complaintRateDimensions.length)
      .default([...complaintRateDimensions]),
    /** Baseline weeks needed before a series can spike (1–4); fewer means "not enough history". */
    minHistoryWeeks: z.number().int().min(1).max(4).default(2),
    hour: spikeThresholdSchema,
    day: spikeThresholdSchema,
    /** Where a new alert is posted (signed, retried: the router's notify queue). */
    notify: z
      .object({ url: z.url({ protocol: /^https?$/ }) })
      .strict()
      .optional(),
  })
  .strict();
export type ComplaintRatesFile = z.output<typeof complaintRatesFileSchema>;
