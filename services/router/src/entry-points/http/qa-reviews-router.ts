import {
  actorLabel,
  NotFoundError,
  parseOrThrow,
  type ApiKeyTable,
  type Principal,
} from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import type { TicketReadModel } from '../../data-access/ticket-read-model';
import { reviewStatuses, type ManualScore, type QaReview } from '../../domain/qa-review-model';
import {
  assignReview,
  disputeReview,
  scoreReview,
  settleDispute,
  takeNextReview,
  type ReviewDeps,
} from '../../domain/qa-reviews';
import { toTicketView } from './ticket-view';

export const reviewParams = z.object({
  id: z.string().regex(/^[0-9a-f-]{36}-c\d{1,4}$/, 'a review id (<ticket id>-c<close number>)'),
});

export const reviewListQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        const list = value.split(',');
        const bad = list.filter((status) => !(reviewStatuses as readonly string[]).includes(status));
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown status ${bad.join(', ')} (use ${reviewStatuses.join(', ')})`,
          });
          return z.NEVER;
        }
        return list as QaReview['status'][];
      }),
    reviewer: z.string().min(1).max(200).optional(),
    agentId: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const reviewerLabel = z
  .string()
  .regex(/^(qa|supervisor|admin):[^\s:]{1,100}$/, 'qa:<name>, supervisor:<name> or admin:<name>');

const manualScore = z
  .object({
    criterion: z.string().min(1).max(100),
    result: z.enum(['pass', 'fail']),
    points: z.number().min(0).max(1000).optional(),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

export const scoreBody = z
  .object({ scores: z.array(manualScore).max(50), comment: z.string().trim().max(5000).optional() })
  .strict();
export const assignReviewBody = z.object({ reviewer: reviewerLabel }).strict();
export const disputeBody = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();
export const settleBody = z
  .object({
    decision: z.enum(['upheld', 'overturned']),
    reason: z.string().trim().min(1).max(2000),
    scores: z.array(manualScore).max(50).optional(),
  })
  .strict();

export interface QaReviewsRouterDeps {
  apiKeys: ApiKeyTable;
  views: TicketReadModel;
  review: ReviewDeps;
}

/** The parsed scores as the domain takes them (optional fields left out, not undefined). */
function toManualScores(scores: z.output<typeof manualScore>[]): ManualScore[] {
  return scores.map((score) => ({
    criterion: score.criterion,
    result: score.result,
    ...(score.points !== undefined ? { points: score.points } : {}),
    ...(score.comment ? { comment: score.comment } : {}),
  }));
}

const isReviewer = (principal: Principal) => ['qa', 'supervisor', 'admin'].includes(principal.role);

/**
 * QA reviews over HTTP. Reviewers (`qa`, supervisors) take and score them; supervisors and admins
 * see them all, assign and settle disputes; an agent sees the scored reviews of their own
 * handling and may dispute each once. A `qa` key reads only open reviews and its own: anything
 * else is 404, like a ticket outside an agent's queues.
 */
export function qaReviewsRouter(deps: QaReviewsRouterDeps): Router {
  const router = Router();
  const anyone = requireRole(deps.apiKeys, 'agent', 'qa', 'supervisor', 'admin');
  const reviewers = requireRole(deps.apiKeys, 'qa', 'supervisor', 'admin');
  const supervisorOrAdmin = requireRole(deps.apiKeys, 'supervisor', 'admin');

  async function visibleReview(principal: Principal, id: string): Promise<QaReview> {
    const review = await deps.review.reviews.findById(id);
    const label = actorLabel(principal);
    const visible =
      review &&
      (principal.role === 'supervisor' ||
        principal.role === 'admin' ||
        (principal.role === 'qa' && (review.status === 'open' || review.reviewer === label)) ||
        (principal.role === 'agent' &&
          review.agentId === principal.subject &&
          review.status !== 'open' &&
          review.status !== 'assigned'));
    if (!review || !visible) throw new NotFoundError(`No review with id ${id}.`);
    return review;
  }

  router.get('/v1/qa/reviews', anyone, async (req, res) => {
    const principal = principalOf(req);
    const query = parseOrThrow(reviewListQuery, req.query, 'query');
    const filter = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.reviewer !== undefined ? { reviewer: query.reviewer } : {}),
      ...(query.agentId !== undefined ? { agentId: query.agentId } : {}),
    };
    if (principal.role === 'agent') {
      // Their own handling, once a reviewer scored it.
      const own = await deps.review.reviews.list(
        { ...filter, agentId: principal.subject, status: query.status ?? ['scored', 'disputed', 'settled'] },
        query.limit,
      );
      res.json({ reviews: own.filter((review) => review.status !== 'open' && review.status !== 'assigned') });
      return;
    }
    if (principal.role === 'qa') {
      const label = actorLabel(principal);
      const [open, mine] = await Promise.all([
        deps.review.reviews.list({ ...filter, status: ['open'] }, query.limit),
        deps.review.reviews.list({ ...filter, reviewer: label }, query.limit),
      ]);
      const wanted = (review: QaReview) => !query.status || query.status.includes(review.status);
      res.json({ reviews: [...mine, ...open].filter(wanted).slice(0, query.limit) });
      return;
    }
    res.json({ reviews: await deps.review.reviews.list(filter, query.limit) });
  });

  router.post('/v1/qa/reviews/next', reviewers, async (req, res) => {
    const review = await takeNextReview(deps.review, actorLabel(principalOf(req)));
    if (!review) {
      res.status(204).end();
      return;
    }
    res.json({ review });
  });

  router.get('/v1/qa/reviews/:id', anyone, async (req, res) => {
    const principal = principalOf(req);
    const { id } = parseOrThrow(reviewParams, req.params, 'path');
    const review = await visibleReview(principal, id);
    const complaint = await deps.views.findById(review.complaintId);
    if (!complaint?.ticket) throw new NotFoundError(`The ticket of review ${id} is gone.`);
    res.json({
      review,
      ticket: toTicketView(complaint),
      ...(isReviewer(principal)
        ? {
            notes: complaint.notes ?? [],
            followUps: complaint.followUps ?? [],
            csat: complaint.csat ?? null,
            qa: complaint.qa ?? null,
            events: complaint.events,
            criteria: deps.review.scoring.criteria(complaint),
            manualCriteria: deps.review.scoring.manualCriteria(complaint),
          }
        : { qa: complaint.qa ?? null }),
    });
  });

  router.post('/v1/qa/reviews/:id/assign', supervisorOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(reviewParams, req.params, 'path');
    const { reviewer } = parseOrThrow(assignReviewBody, req.body ?? {});
    res.json({ review: await assignReview(deps.review, id, reviewer, actorLabel(principalOf(req))) });
  });

  router.post('/v1/qa/reviews/:id/score', reviewers, async (req, res) => {
    const principal = principalOf(req);
    const { id } = parseOrThrow(reviewParams, req.params, 'path');
    const body = parseOrThrow(scoreBody, req.body ?? {});
    await visibleReview(principal, id);
    const review = await scoreReview(deps.review, id, actorLabel(principal), {
      scores: toManualScores(body.scores),
      ...(body.comment ? { comment: body.comment } : {}),
    });
    res.json({ review });
  });

  router.post('/v1/qa/reviews/:id/dispute', requireRole(deps.apiKeys, 'agent'), async (req, res) => {
    const principal = principalOf(req);
    const { id } = parseOrThrow(reviewParams, req.params, 'path');
    const { reason } = parseOrThrow(disputeBody, req.body ?? {});
    res.json({ review: await disputeReview(deps.review, id, principal.subject, reason) });
  });

  router.post('/v1/qa/reviews/:id/settle', supervisorOrAdmin, async (req, res) => {
    const { id } = parseOrThrow(reviewParams, req.params, 'path');
    const body = parseOrThrow(settleBody, req.body ?? {});
    res.json({
      review: await settleDispute(deps.review, id, actorLabel(principalOf(req)), {
        decision: body.decision,
        reason: body.reason,
        ...(body.scores ? { scores: toManualScores(body.scores) } : {}),
      }),
    });
  });

  return router;
}
