import { parseOrThrow } from '@triage/shared/kernel';
import type { Request } from 'express';
import { z } from 'zod';

const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'letters, digits, . _ : - (at most 200)');

/** The Idempotency-Key header, validated (400 naming the header when malformed); undefined when absent. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.header('idempotency-key');
  return raw === undefined ? undefined : parseOrThrow(idempotencyKeySchema, raw, 'Idempotency-Key header');
}
