import { parseOrThrow, ValidationError, type ApiKeyTable } from '@triage/shared/kernel';
import { requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { ReportRepository } from '../../data-access/report-repository';
import { buildKpiReport, kpiCsv } from '../../domain/kpi-report';

const DAY = 86_400_000;
const MAX_COMPLAINTS = 100_000;

export const reportQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    format: z.enum(['json', 'csv']).default('json'),
    view: z.enum(['queues', 'agents', 'severities', 'categories']).default('queues'),
  })
  .strict();

const limitSchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();

/** GET /v1/reports (KPIs, JSON or CSV), /v1/reports/escalations, /v1/reports/deadlines — supervisors and admins. */
export function reportsRouter(deps: { apiKeys: ApiKeyTable; reports: ReportRepository }): Router {
  const router = Router();
  const supervisorOrAdmin = requireRole(deps.apiKeys, 'supervisor', 'admin');

  router.get('/v1/reports', supervisorOrAdmin, async (req, res) => {
    const query = parseOrThrow(reportQuerySchema, req.query, 'query');
    const now = new Date();
    const to = query.to ? new Date(query.to) : now;
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY);
    if (from >= to)
      throw new ValidationError('from must be before to', [{ path: '/from', message: 'must be before to' }]);
    const [complaints, names] = await Promise.all([
      deps.reports.complaintsReceived(from, to, MAX_COMPLAINTS),
      deps.reports.agentNames(),
    ]);
    const report = buildKpiReport(complaints, { from, to }, now, names);
    if (query.format === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .attachment(
          `triage-kpis-${query.view}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`,
        )
        .send(kpiCsv(report, query.view));
      return;
    }
    res.json({ ...report, truncated: complaints.length >= MAX_COMPLAINTS });
  });

  router.get('/v1/reports/escalations', supervisorOrAdmin, async (req, res) => {
    const { limit } = parseOrThrow(limitSchema, req.query, 'query');
    res.json({ escalations: await deps.reports.recentEscalations(limit) });
  });

  router.get('/v1/reports/deadlines', supervisorOrAdmin, async (req, res) => {
    const { limit } = parseOrThrow(limitSchema, req.query, 'query');
    res.json({ tickets: await deps.reports.nextDeadlines(limit) });
  });

  return router;
}
