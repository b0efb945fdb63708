import {
  complaintInputSchema,
  parseOrThrow,
  principalOf,
  requireRole,
  type ApiKeyTable,
  type Logger,
} from '@triage/shared';
import { Router } from 'express';
import { z } from 'zod';
import { submitComplaint, type TriageQueue } from '../../domain/submit-complaint';
import type { ComplaintRepository } from '../../data-access/complaint-repository';

const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'letters, digits, . _ : - (at most 200)');
const idParamSchema = z.object({ id: z.uuid('must be a complaint id (UUID)') });

export interface ComplaintsRouterDeps {
  apiKeys: ApiKeyTable;
  repository: ComplaintRepository;
  triageQueue: TriageQueue;
  logger: Logger;
}

/** POST /v1/complaints, GET /v1/complaints/:id, GET /v1/complaints/:id/events. */
export function complaintsRouter({ apiKeys, repository, triageQueue, logger }: ComplaintsRouterDeps): Router {
  const router = Router();
  const anyRole = requireRole(apiKeys);

  router.post('/v1/complaints', anyRole, async (req, res) => {
    const input = parseOrThrow(complaintInputSchema, req.body);
    const rawKey = req.header('idempotency-key');
    const idempotencyKey =
      rawKey === undefined ? undefined : parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
    const principal = principalOf(req);
    const outcome = await submitComplaint(
      input,
      {
        source: 'api',
        requestId: req.id,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        actor: `${principal.role}:${principal.subject ?? principal.keyHint}`,
      },
      repository,
      triageQueue,
      (error, id) =>
        logger.warn(
          { err: error, complaintId: id, requestId: req.id },
          'triage queue unavailable; complaint left for the sweeper',
        ),
    );
    res
      .status(outcome.created ? 202 : 200)
      .location(`/v1/complaints/${outcome.id}`)
      .json({ id: outcome.id, status: outcome.status, duplicate: !outcome.created });
  });

  router.get('/v1/complaints/:id', anyRole, async (req, res) => {
    const { id } = parseOrThrow(idParamSchema, req.params, 'path');
    const complaint = await repository.findById(id);
    const { _id, dedupeKey: _dedupeKey, ...rest } = complaint;
    res.json({ id: _id, ...rest });
  });

  router.get('/v1/complaints/:id/events', anyRole, async (req, res) => {
    const { id } = parseOrThrow(idParamSchema, req.params, 'path');
    const complaint = await repository.findById(id);
    res.json({ id, events: complaint.events });
  });

  return router;
}
