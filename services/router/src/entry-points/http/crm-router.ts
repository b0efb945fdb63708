import { NotFoundError, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import { requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import { crmDeliveryStates, type CrmDeliveries } from '../../data-access/crm-deliveries';

export const crmDeliveriesQuery = z
  .object({
    state: z.enum(crmDeliveryStates).default('failed'),
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a source name')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const crmDeliveryParams = z.object({
  id: z.string().regex(/^crm-[A-Za-z0-9_-]{1,200}$/, 'a CRM delivery id (crm-…)'),
});

/**
 * The loop back to the CRMs, for supervisors and admins: deliveries by state (dead letters by
 * default) with counts, and an admin's retry of a dead letter once the CRM is fixed.
 */
export function crmRouter(deps: { apiKeys: ApiKeyTable; crmDeliveries: CrmDeliveries }): Router {
  const router = Router();
  router.get('/v1/crm-deliveries', requireRole(deps.apiKeys, 'supervisor', 'admin'), async (req, res) => {
    const { state, source, limit } = parseOrThrow(crmDeliveriesQuery, req.query, 'query');
    const [deliveries, counts] = await Promise.all([
      deps.crmDeliveries.list(state, limit, source),
      deps.crmDeliveries.counts(),
    ]);
    res.json({ state, counts, deliveries });
  });

  router.post('/v1/crm-deliveries/:id/retry', requireRole(deps.apiKeys, 'admin'), async (req, res) => {
    const { id } = parseOrThrow(crmDeliveryParams, req.params, 'path');
    const delivery = await deps.crmDeliveries.retry(id);
    if (!delivery) throw new NotFoundError(`No dead-lettered CRM delivery with id ${id}.`);
    res.status(202).json({ delivery });
  });
  return router;
}
