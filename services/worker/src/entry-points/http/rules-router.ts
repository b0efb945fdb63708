import { randomUUID } from 'node:crypto';
import {
  complaintInputSchema,
  evaluateComplaint,
  noHistoryFactSources,
  parseOrThrow,
  requireRole,
  type ApiKeyTable,
} from '@triage/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { RulesetHolder } from '../../domain/ruleset-holder';

const dryRunSchema = z.object({ complaint: complaintInputSchema }).strict();

export function rulesRouter(deps: { apiKeys: ApiKeyTable; rules: RulesetHolder }): Router {
  const router = Router();
  const admin = requireRole(deps.apiKeys, 'admin');

  router.get('/v1/rules', admin, (_req, res) => {
    res.json(deps.rules.status());
  });

  router.post('/v1/rules/dry-run', admin, async (req, res) => {
    const { complaint } = parseOrThrow(dryRunSchema, req.body);
    const now = new Date();
    const evaluation = await evaluateComplaint(
      deps.rules.get(),
      {
        id: randomUUID(),
        source: complaint.source ?? 'dry-run',
        channel: complaint.channel,
        body: complaint.body,
        customer: complaint.customer,
        receivedAt: now,
        ...(complaint.subject !== undefined ? { subject: complaint.subject } : {}),
        ...(complaint.product !== undefined ? { product: complaint.product } : {}),
        ...(complaint.language !== undefined ? { language: complaint.language } : {}),
        ...(complaint.metadata !== undefined ? { metadata: complaint.metadata } : {}),
        ...(complaint.occurredAt !== undefined ? { occurredAt: new Date(complaint.occurredAt) } : {}),
      },
      noHistoryFactSources,
      now,
    );
    res.json({ decision: evaluation.decision, trace: evaluation.trace });
  });

  return router;
}
