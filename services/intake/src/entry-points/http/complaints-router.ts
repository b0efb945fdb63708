import { actorLabel, parseOrThrow, type ApiKeyTable, type Logger } from '@triage/shared/kernel';
import { complaintInputSchema } from '@triage/shared/complaint';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ComplaintRepository } from '../../data-access/complaint-repository';
import { assertMayRead, submissionScopeOf } from '../../domain/caller-scope';
import { submitComplaint } from '../../domain/submit-complaint';
import type { TriageQueue } from '../../domain/ports';
import { idempotencyKeyOf } from './idempotency-key';

const idParamSchema = z.object({ id: z.uuid('must be a complaint id (UUID)') });

export interface ComplaintsRouterDeps {
  apiKeys: ApiKeyTable;
  repository: ComplaintRepository;
  triageQueue: TriageQueue;
  /** Counts requests per API key; runs after authentication. */
  keyRateLimit: RequestHandler;
  logger: Logger;
}

/** POST /v1/complaints, GET /v1/complaints/:id, GET /v1/complaints/:id/events. */
export function complaintsRouter({
  apiKeys,
  repository,
  triageQueue,
  keyRateLimit,
  logger,
}: ComplaintsRouterDeps): Router {
  const router = Router();
  const anyRole = requireRole(apiKeys);

  router.post('/v1/complaints', anyRole, keyRateLimit, async (req, res) => {
    const input = parseOrThrow(complaintInputSchema, req.body);
    const idempotencyKey = idempotencyKeyOf(req);
    const principal = principalOf(req);
    const { source, scope } = submissionScopeOf(principal, input.source);
    const outcome = await submitComplaint(
      { ...input, source },
      {
        source,
        scope,
        requestId: req.requestId,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        actor: actorLabel(principal),
      },
      repository,
      triageQueue,
      (error, id, stage) =>
        logger.warn(
          { err: error, complaintId: id, requestId: req.requestId, stage },
          stage === 'enqueue'
            ? 'triage queue unavailable; complaint left for the sweeper'
            : 'complaint queued but its status could not be advanced',
        ),
    );
    res
      .status(outcome.created ? 202 : 200)
      .location(`/v1/complaints/${outcome.id}`)
      .json({ id: outcome.id, status: outcome.status, duplicate: !outcome.created });
  });

  router.get('/v1/complaints/:id', anyRole, keyRateLimit, async (req, res) => {
    const { id } = parseOrThrow(idParamSchema, req.params, 'path');
    const complaint = await repository.findById(id);
    assertMayRead(principalOf(req), complaint);
    const { _id, dedupeKey: _dedupeKey, ...rest } = complaint;
    res.json({ id: _id, ...rest });
  });

  router.get('/v1/complaints/:id/events', anyRole, keyRateLimit, async (req, res) => {
    const { id } = parseOrThrow(idParamSchema, req.params, 'path');
    const complaint = await repository.findById(id);
    assertMayRead(principalOf(req), complaint);
    res.json({ id, events: complaint.events });
  });

  return router;
}
