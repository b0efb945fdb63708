import { pushQueues, type DeskDeps } from './desk-deps';
import { expireLease } from './expire-lease';
import { sweepOverdueFollowUps } from './follow-ups';
import { offerForReview } from './request-auto-qa';
import { planTimers } from './plan-timers';
import { pushDispatch } from './push-dispatch';

export interface SweepResult {
  leasesExpired: number;
  timersPlanned: number;
  indexRepaired: number;
  pushed: number;
  countersCorrected: number;
  followUpsMissed: number;
  fatalQaOffered: number;
}

/** How many overdue leases and unscheduled clocks one sweep takes on. */
const SWEEP_BATCH = 500;

/**
 * The safety net, run periodically: returns tickets whose lease timer was lost (a crash between
 * claim and scheduling), schedules SLA timers a crash left unscheduled (between a new clock
 * generation and its timers), repairs the claim index from the stored tickets and assigns
 * waiting tickets of push queues, and marks promises missed whose due timer was lost.
 */
export async function maintenanceSweep(deps: DeskDeps, graceMs = 5_000): Promise<SweepResult> {
  let leasesExpired = 0;
  const before = new Date(deps.now().getTime() - graceMs);
  for (const lease of await deps.tickets.overdueLeases(before, SWEEP_BATCH)) {
    if ((await expireLease(deps, lease._id, lease.agentId)) === 'expired') leasesExpired++;
  }
  let timersPlanned = 0;
  for (const complaint of await deps.tickets.withPendingTimers(before, SWEEP_BATCH)) {
    await planTimers(deps, complaint);
    timersPlanned++;
  }
  if (timersPlanned > 0) deps.logger.warn({ timersPlanned }, 'SLA timers scheduled by the sweep');
  const repair = await deps.tickets.reconcileClaimIndex();
  const indexRepaired = repair.added + repair.fixed + repair.removed;
  if (indexRepaired > 0) deps.logger.warn(repair, 'claim index repaired from the stored tickets');
  const countersCorrected = await correctCapacityCounters(deps);
  const followUpsMissed = await sweepOverdueFollowUps(deps, before, SWEEP_BATCH);
  if (followUpsMissed > 0) deps.logger.warn({ followUpsMissed }, 'follow-ups marked missed by the sweep');
  // A fatal auto-QA hit is known only once the worker scored the closed ticket: offer it here.
  let fatalQaOffered = 0;
  if (deps.requestQaReview) {
    for (const complaint of await deps.tickets.fatalQaNotSampled(SWEEP_BATCH)) {
      await offerForReview(deps, complaint);
      await deps.tickets.markQaSampled(complaint._id);
      fatalQaOffered++;
    }
  }
  let pushed = 0;
  const waiting = await deps.tickets.queuesWithWaitingTickets(pushQueues(deps).map((queue) => queue.id));
  for (const queueId of waiting) pushed += await pushDispatch(deps, queueId);
  return {
    leasesExpired,
    timersPlanned,
    indexRepaired,
    pushed,
    countersCorrected,
    followUpsMissed,
    fatalQaOffered,
  };
}

/**
 * An agent's open-ticket counter that disagrees with the tickets they hold, and that has not moved
 * for `counterQuietMs`, nor have their tickets (so no claim or release is in flight), is set to
 * the truth: a process killed between reserving a slot and claiming (or between resolving and
 * releasing) leaves it off. Bounded: within one sweep interval after they went quiet.
 */
async function correctCapacityCounters(deps: DeskDeps): Promise<number> {
  const held = await deps.tickets.heldCounts();
  const quietBefore = new Date(deps.now().getTime() - (deps.counterQuietMs ?? 30_000));
  let corrected = 0;
  for (const agent of await deps.agents.list()) {
    const actual = held.get(agent._id) ?? 0;
    const counted = agent.activeTickets ?? 0;
    if (counted === actual) continue;
    if ((agent.activeTicketsChangedAt?.getTime() ?? 0) >= quietBefore.getTime()) continue;
    // A ticket that just left their hands (a resolve, a release) has its slot release on the way:
    // correcting now would count it twice, and the release would take the counter below the truth.
    // Asked after the held counts, so it sees every such write those counts already reflect.
    if (await deps.tickets.ticketLeftAgentSince(agent._id, quietBefore)) continue;
    if (await deps.agents.correctCount(agent._id, counted, actual, quietBefore)) {
      deps.logger.warn(
        { agentId: agent._id, counted, actual },
        'agent capacity counter corrected by the sweep',
      );
      corrected++;
    }
  }
  return corrected;
}
