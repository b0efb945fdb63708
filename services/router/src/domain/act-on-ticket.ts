import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { tellCrm } from './crm-loop';
import { CAS_ATTEMPTS, queueById, type DeskDeps } from './desk-deps';
import { cancelTimers, planTimers, watchLeaseSafely } from './plan-timers';
import { pushDispatch, pushDispatchFor } from './push-dispatch';
import { requestAutoQa } from './request-auto-qa';
import {
  planTicketAction,
  ticketTransitions,
  type PlannedAction,
  type TicketAction,
} from './ticket-lifecycle';

/** Who acts: an agent (bound to the tickets they hold) or an admin (no agent id). */
export interface TicketActor {
  agentId?: string;
  label: string;
}

export interface TicketActionOptions {
  targetQueue?: string;
  reason?: string;
  /** With `resolve`: the resolution code (already checked against the codes), summary and final-answer flag. */
  resolution?: { code: string; summary?: string; finalAnswer: boolean };
  requestId?: string;
}

/**
 * Applies an agent or admin action. Read, plan (pure), then store with a compare-and-set on
 * status and clock generation, so a concurrent change makes us re-plan rather than overwrite.
 */
export async function actOnTicket(
  deps: DeskDeps,
  complaintId: string,
  action: TicketAction,
  actor: TicketActor,
  options: TicketActionOptions = {},
): Promise<ComplaintRecord> {
  const transition = ticketTransitions[action];
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = await deps.tickets.findById(complaintId);
    if (!current?.ticket?.sla) throw new NotFoundError(`No ticket with id ${complaintId}.`);
    const holder = current.ticket.agentId ?? null;
    if (!transition.from.includes(current.status)) {
      throw new ConflictError(
        `Cannot ${action} a ticket that is ${current.status} (allowed from: ${transition.from.join(', ')}).`,
        { extra: { ticketStatus: current.status, action } },
      );
    }
    const agentBound = actor.agentId !== undefined && transition.holderOnly;
    if (agentBound && holder !== actor.agentId) {
      throw new ConflictError(
        holder
          ? `Ticket ${complaintId} is held by another agent.`
          : `Ticket ${complaintId} is not held by you.`,
        { extra: { ticketStatus: current.status, action } },
      );
    }
    const now = deps.now();
    const plan = planTicketAction(action, current, {
      now,
      leaseMs: deps.leaseMs,
      queueById: (id) => queueById(deps, id),
      ...(options.targetQueue !== undefined ? { targetQueue: options.targetQueue } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    });
    if (plan.timers === 'replan') plan.patch.sla.timersPending = true;
    // Whatever the action, the reason the caller gave is kept on its event.
    if (options.reason !== undefined) {
      plan.patch.event = { ...plan.patch.event, data: { ...plan.patch.event.data, reason: options.reason } };
    }
    if (action === 'resolve' && options.resolution) {
      const resolution = { ...options.resolution, by: actor.label, at: now };
      plan.patch.ticket = { ...plan.patch.ticket, resolution };
      plan.patch.event = {
        ...plan.patch.event,
        data: { ...plan.patch.event.data, resolution: options.resolution },
      };
    }
    const updated = await deps.tickets.applyPatch(
      complaintId,
      { status: current.status, generation: current.ticket.sla.generation, agentId: holder },
      plan.patch,
      { actor: actor.label, requestId: options.requestId },
      now,
    );
    if (!updated) continue; // it changed under us: read again
    await afterAction(deps, current, updated, plan, options.requestId);
    return updated;
  }
  throw new ConflictError(`Ticket ${complaintId} kept changing; try again.`);
}

async function afterAction(
  deps: DeskDeps,
  before: ComplaintRecord,
  after: ComplaintRecord,
  plan: PlannedAction,
  requestId: string | undefined,
): Promise<void> {
  if (plan.timers !== 'keep') await cancelTimers(deps, before);
  if (plan.timers === 'replan') await planTimers(deps, after);
  if (plan.leaseUntil) await watchLeaseSafely(deps, after._id, after.ticket?.agentId ?? '', plan.leaseUntil);
  if (plan.freesAgent) {
    const released = await deps.agents.release(plan.freesAgent);
    await pushDispatchFor(deps, plan.freesAgent, requestId, released);
  }
  if (plan.dispatchQueue) await pushDispatch(deps, plan.dispatchQueue, requestId);
  await recordOutcome(deps, after, requestId);
  if (after.status === 'resolved' && before.status !== 'resolved')
    await tellCrm(deps, after, { kind: 'resolved' });
  if ((after.ticket?.reopenCount ?? 0) > (before.ticket?.reopenCount ?? 0))
    await tellCrm(deps, after, { kind: 'reopened' });
  if (after.status === 'closed' && before.status !== 'closed') await requestAutoQa(deps, after, requestId);
}

/**
 * Records a resolution in the customer's history, so rules can see it on their next complaint
 * (`priorFinalAnswer`). The ticket is resolved whatever happens here: a failure is logged.
 */
async function recordOutcome(
  deps: DeskDeps,
  resolved: ComplaintRecord,
  requestId: string | undefined,
): Promise<void> {
  const resolution = resolved.ticket?.resolution;
  if (resolved.status !== 'resolved' || !resolution) return;
  const outcome = {
    complaintId: resolved._id,
    customerId: resolved.customer.id,
    category: resolved.decision?.category ?? 'general',
    code: resolution.code,
    finalAnswer: resolution.finalAnswer,
    at: resolution.at,
  };
  try {
    await deps.outcomes.record(outcome);
  } catch (error) {
    deps.logger.warn(
      { err: error, complaintId: resolved._id, requestId },
      'resolution not recorded in the customer history',
    );
  }
}
