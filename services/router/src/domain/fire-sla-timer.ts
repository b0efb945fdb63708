import { CAS_ATTEMPTS, queueById, type DeskDeps } from './desk-deps';
import { cancelTimers, planTimers } from './plan-timers';
import { pushDispatch, pushDispatchFor } from './push-dispatch';
import { planSlaStep, slaNotifications, type SlaTimerDue } from './plan-sla-step';

export type SlaFiringOutcome = 'fired' | 'already-fired' | 'stale' | 'missing';

/**
 * A timer is due: record it and apply its step's actions, once. Read, plan (pure), then store:
 * the fired marker, the events, a priority raise and a queue move are one guarded update;
 * notifications go out through the notify job queue with deterministic ids, so a retried job
 * re-sends nothing.
 */
export async function fireSlaTimer(deps: DeskDeps, due: SlaTimerDue): Promise<SlaFiringOutcome> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const read = await deps.tickets.findById(due.complaintId);
    const plan = planSlaStep(read, due, { now: deps.now(), queueById: (id) => queueById(deps, id) });
    if (plan.outcome === 'missing' || plan.outcome === 'stale') return plan.outcome;
    const { complaint } = plan;
    if (plan.outcome === 'already-fired') {
      // A retried job: re-offer its notifications (deterministic ids: nothing is sent twice).
      for (const request of slaNotifications(complaint, plan.timer, plan.firedAt))
        await deps.timers.notify(request);
      return 'already-fired';
    }
    const fired = await deps.tickets.fireSlaStep(complaint._id, plan.guard, plan.firing);
    if (!fired) continue; // changed under us (claimed, acknowledged, fired by a twin job…): look again
    deps.logger.info(
      { complaintId: complaint._id, ...plan.step, queueBefore: queueById(deps, plan.step.queue)?.id },
      'sla timer fired',
    );
    if (plan.target) {
      await cancelTimers(deps, complaint);
      await planTimers(deps, fired);
      if (plan.holder) {
        await deps.agents.release(plan.holder);
        await pushDispatchFor(deps, plan.holder);
      }
      await pushDispatch(deps, plan.target.id);
    }
    for (const request of slaNotifications(fired, plan.timer, plan.firing.firedAt))
      await deps.timers.notify(request);
    return 'fired';
  }
  return 'stale';
}
