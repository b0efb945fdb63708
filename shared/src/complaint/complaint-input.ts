import { customerTiers } from '@triage/rules';
import { z } from 'zod';

export const channels = [
  'phone',
  'email',
  'web',
  'chat',
  'sms',
  'social',
  'letter',
  'fax',
  'referral',
  'other',
] as const;

const text = (max: number) => z.string().max(max);

export const customerSchema = z
  .object({
    id: z.string().trim().min(1).max(200),
    name: text(300).optional(),
    email: z.email().max(320).optional(),
    phone: text(64).optional(),
    tier: z.enum(customerTiers).optional(),
  })
  .strict();

/**
 * A complaint as a CRM or an agent submits it. Unknown fields are rejected (strict),
 * so a typo such as `bdy` is a 400 naming the field rather than silently lost text.
 */
export const complaintInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(200).optional(),
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _')
      .optional(),
    customer: customerSchema,
    channel: z.enum(channels),
    subject: text(1_000).optional(),
    body: z.string().min(1, 'must not be empty').max(100_000),
    product: text(300).optional(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 tag such as en or zh-CN')
      .optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type ComplaintInput = z.output<typeof complaintInputSchema>;
export type Channel = (typeof channels)[number];
