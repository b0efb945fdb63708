import { randomUUID } from 'node:crypto';
import { addBusinessMinutes } from '@triage/rules';
import { complaintEvent, type ComplaintRecord, type TicketFollowUp } from '@triage/shared/complaint';
import { ConflictError, NotFoundError, ValidationError } from '@triage/shared/kernel';
import { queueById, type DeskDeps } from './desk-deps';
import type { NotifyRequest } from './ports';
import type { TicketActor } from './act-on-ticket';

/** A promise is due by a time, or after business minutes on the ticket's calendar. */
export type FollowUpInput = { note: string } & ({ dueAt: Date } | { inBusinessMinutes: number });

export type FollowUpFiringOutcome = 'reminded' | 'missed' | 'settled' | 'missing';

/** The furthest a promise may be made ahead. */
const MAX_AHEAD_MS = 90 * 24 * 3600_000;
const MINUTE = 60_000;

function findFollowUp(complaint: ComplaintRecord | null, followUpId: string): TicketFollowUp | undefined {
  return complaint?.followUps?.find((entry) => entry.id === followUpId);
}

/** Where a promise sits in the ticket's (append-only) list, for a guarded update. */
function placeOf(complaint: ComplaintRecord, followUpId: string): { id: string; index: number } {
  return { id: followUpId, index: complaint.followUps?.findIndex((entry) => entry.id === followUpId) ?? -1 };
}

/** When a promise made now falls due: a time as given, or business minutes on the ticket's calendar. */
export function followUpDueAt(
  deps: Pick<DeskDeps, 'calendars'>,
  complaint: ComplaintRecord,
  input: FollowUpInput,
  now: Date,
): Date {
  if ('dueAt' in input) return input.dueAt;
  const calendarId = complaint.decision?.calendar;
  const calendar = calendarId ? deps.calendars?.().get(calendarId) : undefined;
  // Without the decision's calendar (renamed since, or none), minutes are plain minutes.
  return calendar
    ? addBusinessMinutes(calendar, now, input.inBusinessMinutes)
    : new Date(now.getTime() + input.inBusinessMinutes * MINUTE);
}

/**
 * The holder of a ticket (or a supervisor or admin) promises the customer something by a time:
 * stored on the ticket with its event, and two timers scheduled — a reminder to whoever holds the
 * ticket `remindBeforeMinutes` ahead (the queue's follow-up policy), and the due timer that marks
 * it missed. The ticket must not be closed; an agent must hold it.
 */
export async function promiseFollowUp(
  deps: DeskDeps,
  complaintId: string,
  actor: TicketActor,
  input: FollowUpInput,
  requestId: string | undefined,
): Promise<{ followUp: TicketFollowUp; ticket: ComplaintRecord }> {
  const current = await deps.tickets.findById(complaintId);
  if (!current?.ticket) throw new NotFoundError(`No ticket with id ${complaintId}.`);
  if (current.status === 'closed') {
    throw new ConflictError(`Ticket ${complaintId} is closed; reopen it to promise a follow-up.`, {
      extra: { ticketStatus: current.status },
    });
  }
  if (actor.agentId !== undefined && current.ticket.agentId !== actor.agentId) {
    throw new ConflictError(`Ticket ${complaintId} is not held by you.`, {
      extra: { ticketStatus: current.status },
    });
  }
  const now = deps.now();
  const dueAt = followUpDueAt(deps, current, input, now);
  if (dueAt.getTime() <= now.getTime() || dueAt.getTime() - now.getTime() > MAX_AHEAD_MS) {
    throw new ValidationError('A follow-up is due in the future, at most 90 days ahead.', [
      { path: 'dueAt' in input ? '/dueAt' : '/inBusinessMinutes', message: 'in the past or too far ahead' },
    ]);
  }
  const policy = queueById(deps, current.ticket.queue)?.followUps;
  const remindBeforeMs = (policy?.remindBeforeMinutes ?? 15) * MINUTE;
  const followUp: TicketFollowUp = {
    id: randomUUID(),
    note: input.note,
    dueAt,
    remindAt: new Date(Math.max(now.getTime(), dueAt.getTime() - remindBeforeMs)),
    status: 'pending',
    createdBy: actor.label,
    agentId: current.ticket.agentId ?? null,
    createdAt: now,
  };
  const ticket = await deps.tickets.addFollowUp(complaintId, followUp, actor.agentId, {
    actor: actor.label,
    requestId,
  });
  if (!ticket) throw new ConflictError(`Ticket ${complaintId} changed; read it again and retry.`);
  try {
    await deps.timers.scheduleFollowUp(complaintId, followUp);
  } catch (error) {
    // The promise stands; the sweep marks it missed if its due timer never runs.
    deps.logger.warn({ err: error, complaintId, followUpId: followUp.id }, 'follow-up timers not scheduled');
  }
  return { followUp, ticket };
}

/**
 * The promise was kept: done by its due time it counts as kept; done after, it stays missed and
 * records when it was done. Doing it twice answers the promise as it is.
 */
export async function completeFollowUp(
  deps: DeskDeps,
  complaintId: string,
  followUpId: string,
  actor: TicketActor,
  note: string | undefined,
  requestId: string | undefined,
): Promise<{ followUp: TicketFollowUp; ticket: ComplaintRecord }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.tickets.findById(complaintId);
    const followUp = findFollowUp(current, followUpId);
    if (!current?.ticket || !followUp) {
      throw new NotFoundError(`No follow-up ${followUpId} on ticket ${complaintId}.`);
    }
    if (actor.agentId !== undefined && current.ticket.agentId !== actor.agentId) {
      throw new ConflictError(`Ticket ${complaintId} is not held by you.`, {
        extra: { ticketStatus: current.status },
      });
    }
    if (followUp.doneAt !== undefined) return { followUp, ticket: current };
    const now = deps.now();
    const late = followUp.status === 'missed' || now.getTime() > followUp.dueAt.getTime();
    const set: Partial<TicketFollowUp> = {
      status: late ? 'missed' : 'kept',
      doneAt: now,
      doneBy: actor.label,
      ...(note !== undefined ? { doneNote: note } : {}),
      ...(late && followUp.missedAt === undefined ? { missedAt: followUp.dueAt } : {}),
    };
    const event = complaintEvent(late ? 'follow-up.done-late' : 'follow-up.kept', {
      actor: actor.label,
      ...(requestId ? { requestId } : {}),
      data: { followUpId, dueAt: followUp.dueAt, ...(note !== undefined ? { note } : {}) },
    });
    const updated = await deps.tickets.updateFollowUp(
      complaintId,
      placeOf(current, followUpId),
      { status: followUp.status, done: false },
      set,
      event,
    );
    if (!updated) continue; // its timer fired, or a twin request got there first: look again
    await deps.timers.cancelFollowUp(complaintId, followUpId).catch(() => undefined);
    return { followUp: findFollowUp(updated, followUpId) ?? followUp, ticket: updated };
  }
  throw new ConflictError(`Follow-up ${followUpId} kept changing; try again.`);
}

/**
 * A promise's timer is due. `remind`: once, an event for whoever holds the ticket now (their
 * workspace shows it). `due`: still pending, it is missed — an escalation event for the
 * supervisors' feed and, with the queue's `followUps.notify`, a signed webhook. Guarded updates
 * make a retried or twin job a no-op.
 */
export async function fireFollowUp(
  deps: DeskDeps,
  complaintId: string,
  followUpId: string,
  kind: 'remind' | 'due',
): Promise<FollowUpFiringOutcome> {
  const current = await deps.tickets.findById(complaintId);
  const followUp = findFollowUp(current, followUpId);
  if (!current?.ticket || !followUp) return 'missing';
  if (followUp.status !== 'pending') return 'settled';
  const now = deps.now();
  const holder = current.ticket.agentId ?? null;
  const origin = { actor: 'router:follow-up' };
  if (kind === 'remind') {
    if (followUp.remindedAt !== undefined) return 'settled';
    const updated = await deps.tickets.updateFollowUp(
      complaintId,
      placeOf(current, followUpId),
      { status: 'pending', reminded: false },
      { remindedAt: now },
      complaintEvent('follow-up.reminder', {
        ...origin,
        data: { followUpId, dueAt: followUp.dueAt, agentId: holder },
      }),
    );
    return updated ? 'reminded' : 'settled';
  }
  const updated = await deps.tickets.updateFollowUp(
    complaintId,
    placeOf(current, followUpId),
    { status: 'pending' },
    { status: 'missed', missedAt: now },
    complaintEvent('follow-up.missed', {
      ...origin,
      data: { followUpId, dueAt: followUp.dueAt, agentId: holder, promisedBy: followUp.createdBy },
    }),
  );
  if (!updated) return 'settled';
  deps.logger.warn({ complaintId, followUpId, agentId: holder }, 'follow-up promise missed');
  const request = missedFollowUpNotification(deps, updated, followUp, holder, now);
  if (request) await deps.timers.notify(request);
  return 'missed';
}

function missedFollowUpNotification(
  deps: Pick<DeskDeps, 'queues'>,
  complaint: ComplaintRecord,
  followUp: TicketFollowUp,
  holder: string | null,
  now: Date,
): NotifyRequest | undefined {
  const url = complaint.ticket ? queueById(deps, complaint.ticket.queue)?.followUps?.notify : undefined;
  if (!url) return undefined;
  return {
    id: `follow-up-missed-${complaint._id}-${followUp.id}`,
    complaintId: complaint._id,
    url,
    payload: {
      type: 'follow-up.missed',
      complaintId: complaint._id,
      queue: complaint.ticket?.queue,
      agentId: holder,
      promisedBy: followUp.createdBy,
      note: followUp.note,
      dueAt: followUp.dueAt.toISOString(),
      missedAt: now.toISOString(),
    },
  };
}

/** The sweep's part: pending promises past due whose timer was lost are marked missed. */
export async function sweepOverdueFollowUps(deps: DeskDeps, before: Date, limit: number): Promise<number> {
  let missed = 0;
  for (const complaint of await deps.tickets.withOverdueFollowUps(before, limit)) {
    for (const followUp of complaint.followUps ?? []) {
      if (followUp.status !== 'pending' || followUp.dueAt.getTime() >= before.getTime()) continue;
      if ((await fireFollowUp(deps, complaint._id, followUp.id, 'due')) === 'missed') missed++;
    }
  }
  return missed;
}
