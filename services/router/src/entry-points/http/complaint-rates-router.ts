import type { ComplaintRatesFile } from '@triage/rules';
import { requireRole } from '@triage/shared/http';
import { parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import { Router } from 'express';
import { z } from 'zod';
import type { AlertStore, RateStore } from '../../domain/complaint-rate-ports';
import { complaintRateReport } from '../../domain/complaint-rate-report';

export const complaintRatesQuerySchema = z
  .object({
    /** The hour and day to show (default: now). */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const alertsQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

export interface ComplaintRatesRouterDeps {
  apiKeys: ApiKeyTable;
  rateMonitor: {
    rates: Pick<RateStore, 'findCounts'>;
    alerts: Pick<AlertStore, 'open'>;
    settings: () => ComplaintRatesFile;
  };
}

/** GET /v1/reports/complaint-rates and /v1/reports/alerts — supervisors and admins. */
export function complaintRatesRouter(deps: ComplaintRatesRouterDeps): Router {
  const router = Router();
  const supervisorOrAdmin = requireRole(deps.apiKeys, 'supervisor', 'admin');

  router.get('/v1/reports/complaint-rates', supervisorOrAdmin, async (req, res) => {
    const query = parseOrThrow(complaintRatesQuerySchema, req.query, 'query');
    const { rates, settings } = deps.rateMonitor;
    res.json(await complaintRateReport(rates, settings(), query.at ? new Date(query.at) : new Date()));
  });

  router.get('/v1/reports/alerts', supervisorOrAdmin, async (req, res) => {
    const { limit } = parseOrThrow(alertsQuerySchema, req.query, 'query');
    res.json({ alerts: await deps.rateMonitor.alerts.open(new Date(), limit) });
  });

  return router;
}
