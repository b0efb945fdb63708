import { qaResults } from '@triage/rules';
import { actorLabel, parseOrThrow, type ApiKeyTable } from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { QaStore } from '../../domain/ports';
import { reviewQa } from '../../domain/review-qa';
import type { RulesetHolder } from '../../domain/ruleset-holder';

export const qaComplaintParams = z.object({ complaintId: z.string().trim().min(1).max(200) });

export const qaReviewSchema = z
  .object({
    scores: z
      .array(
        z
          .object({
            criterion: z.string().min(1).max(100),
            result: z.enum(qaResults),
            /** Points awarded; by default all of the criterion's on a pass, 0 on a fail. */
            points: z.number().min(0).max(1000).optional(),
            reason: z.string().trim().min(1, 'say why (the agent reads it)').max(2000),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();

/** Reviewers (supervisors, admins) score the manual criteria of a closed ticket's scorecard. */
export function qaRouter(deps: { apiKeys: ApiKeyTable; rules: RulesetHolder; qaStore: QaStore }): Router {
  const router = Router();
  const reviewers = requireRole(deps.apiKeys, 'supervisor', 'admin');

  router.post('/v1/qa/:complaintId/review', reviewers, async (req, res) => {
    const { complaintId } = parseOrThrow(qaComplaintParams, req.params, 'path');
    const { scores } = parseOrThrow(qaReviewSchema, req.body);
    const qa = await reviewQa(
      complaintId,
      scores,
      actorLabel(principalOf(req)),
      deps.rules.get(),
      deps.qaStore,
    );
    const { trace: _trace, ...summary } = qa;
    res.json({ complaintId, qa: summary });
  });

  return router;
}
