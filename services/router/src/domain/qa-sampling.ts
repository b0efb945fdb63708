import { createHash } from 'node:crypto';
import type { QaSamplingFile } from '@triage/rules';
import type { ComplaintRecord } from '@triage/shared/complaint';

/** Why a closed ticket is reviewed. */
export const reviewReasons = ['random', 'sla-breach', 'reopened', 'low-csat', 'fatal-auto-qa'] as const;
export type ReviewReason = (typeof reviewReasons)[number];

/** The ISO week of a date (UTC), as `2026-W49`: the random share is per agent per week. */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week names its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Where a ticket falls in [0, 100) for the random draw: a hash of agent, week and ticket, so every
 * router process draws the same tickets, a replayed close draws the same way, and each agent's
 * week is drawn at the plan's rate (in expectation) whatever the others do.
 */
export function drawPosition(agentId: string, week: string, complaintId: string): number {
  const digest = createHash('sha256').update(`${agentId}|${week}|${complaintId}`).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

function breached(complaint: ComplaintRecord): boolean {
  const fired = complaint.ticket?.sla?.fired ?? {};
  return Object.values(fired).some((steps) => steps.breach !== undefined);
}

/**
 * Why the plan draws this closed ticket for review: nothing (not drawn), or every reason that
 * applies — the random share of its agent's week, an SLA breach, a reopen, a low survey score, a
 * fatal auto-QA hit. Pure.
 */
export function sampleReasons(
  complaint: ComplaintRecord,
  plan: QaSamplingFile,
  closedAt: Date,
): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  const agentId = complaint.ticket?.agentId;
  if (
    agentId &&
    plan.random.percentPerAgentPerWeek > 0 &&
    drawPosition(agentId, isoWeek(closedAt), complaint._id) < plan.random.percentPerAgentPerWeek
  )
    reasons.push('random');
  if (plan.targeted.slaBreach && breached(complaint)) reasons.push('sla-breach');
  if (plan.targeted.reopened && (complaint.ticket?.reopenCount ?? 0) > 0) reasons.push('reopened');
  const csatAtMost = plan.targeted.csatAtMost;
  if (csatAtMost !== undefined && complaint.csat && complaint.csat.score <= csatAtMost)
    reasons.push('low-csat');
  if (plan.targeted.fatalAutoQa && complaint.qa?.fatal === true) reasons.push('fatal-auto-qa');
  return reasons;
}
