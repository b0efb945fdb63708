import { complaintEvent, type ComplaintRecord } from '@triage/shared/complaint';
import type {
  ClaimIndexRepair,
  EventOrigin,
  FollowUpExpectation,
  PatchGuard,
  TicketStore,
} from '../../src/domain/ports';
import { heldStatuses, leasedStatuses, openStatuses } from '../../src/domain/ticket-lifecycle';

function eventOf(type: string, origin: EventOrigin, data?: Record<string, unknown>) {
  return complaintEvent(type, {
    actor: origin.actor,
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    ...(data ? { data } : {}),
  });
}

function matches(
  followUp: NonNullable<ComplaintRecord['followUps']>[number],
  expected: FollowUpExpectation,
): boolean {
  if (followUp.status !== expected.status) return false;
  if (expected.reminded !== undefined && (followUp.remindedAt !== undefined) !== expected.reminded)
    return false;
  if (expected.done !== undefined && (followUp.doneAt !== undefined) !== expected.done) return false;
  return true;
}

/** Queue order: priority score, then earliest deadline, then arrival. */
function inQueueOrder(a: ComplaintRecord, b: ComplaintRecord): number {
  const [x, y] = [a.ticket, b.ticket];
  if (!x || !y) return 0;
  return (
    y.priorityScore - x.priorityScore ||
    x.dueAt.getTime() - y.dueAt.getTime() ||
    a.receivedAt.getTime() - b.receivedAt.getTime()
  );
}

/**
 * The tickets in memory, with the write model's guards: every change applies only to the state it
 * expects, as the MongoDB adapter's guarded updates do. Reads answer copies.
 */
export class FakeTicketStore implements TicketStore {
  private readonly docs = new Map<string, ComplaintRecord>();
  /** Guarded writes still to answer "changed under you" (a concurrent writer won the race). */
  private racesToLose = 0;
  reconciliations = 0;
  repairToReport: ClaimIndexRepair = { added: 0, fixed: 0, removed: 0 };

  put(doc: ComplaintRecord): void {
    this.docs.set(doc._id, structuredClone(doc));
  }

  /** The next `count` guarded patches find the ticket changed, as when another writer got there first. */
  loseNextRaces(count: number, meanwhile?: (doc: ComplaintRecord) => void): void {
    this.racesToLose = count;
    this.meanwhile = meanwhile;
  }

  private meanwhile: ((doc: ComplaintRecord) => void) | undefined;

  private lostRace(id: string): boolean {
    if (this.racesToLose === 0) return false;
    this.racesToLose--;
    const doc = this.docs.get(id);
    if (doc && this.meanwhile) this.meanwhile(doc);
    return true;
  }

  /** The ticket if it is still in the status and clock generation the caller read, and no race is lost. */
  private guarded(id: string, guard: Omit<PatchGuard, 'agentId'>) {
    if (this.lostRace(id)) return undefined;
    const doc = this.docs.get(id);
    const ticket = doc?.ticket;
    const sla = ticket?.sla;
    if (!doc || !ticket || !sla || doc.status !== guard.status || sla.generation !== guard.generation)
      return undefined;
    return { doc, ticket, sla };
  }

  private answer(doc: ComplaintRecord | undefined): ComplaintRecord | null {
    return doc ? structuredClone(doc) : null;
  }

  findById: TicketStore['findById'] = async (id) => {
    return this.answer(this.docs.get(id));
  };

  enqueueTriaged: TicketStore['enqueueTriaged'] = async (id, ticket, origin) => {
    const doc = this.docs.get(id);
    if (doc?.status !== 'triaged') return null;
    doc.status = 'queued';
    doc.ticket = structuredClone(ticket);
    doc.events.push(
      eventOf('queued', origin, {
        queue: ticket.queue,
        priorityScore: ticket.priorityScore,
        dueAt: ticket.dueAt,
      }),
    );
    return this.answer(doc);
  };

  claimNext: TicketStore['claimNext'] = async (request) => {
    const [best] = [...this.docs.values()]
      .filter(
        (doc) =>
          doc.status === 'queued' &&
          doc.ticket &&
          request.queues.includes(doc.ticket.queue) &&
          (doc.ticket.skills ?? []).every((skill) => request.agentSkills.includes(skill)),
      )
      .sort(inQueueOrder);
    return best ? this.claimById(best._id, request) : null;
  };

  applyPatch: TicketStore['applyPatch'] = async (id, guard, patch, origin, now) => {
    const found = this.guarded(id, guard);
    if (!found) return null;
    const { doc, ticket, sla } = found;
    if (guard.agentId !== undefined && (ticket.agentId ?? null) !== guard.agentId) return null;
    doc.status = patch.status;
    doc.updatedAt = now;
    Object.assign(ticket, structuredClone(patch.ticket));
    Object.assign(sla, structuredClone(patch.sla));
    if (patch.decision && doc.decision) Object.assign(doc.decision, structuredClone(patch.decision));
    if (patch.addPause) sla.pauses = [...(sla.pauses ?? []), patch.addPause];
    doc.events.push(eventOf(patch.event.type, origin, patch.event.data));
    return this.answer(doc);
  };

  heartbeat: TicketStore['heartbeat'] = async (id, agentId, leaseUntil) => {
    const doc = this.docs.get(id);
    if (!doc?.ticket || !leasedStatuses.includes(doc.status)) return null;
    if (agentId !== undefined && doc.ticket.agentId !== agentId) return null;
    doc.ticket.leaseExpiresAt = leaseUntil;
    return this.answer(doc);
  };

  expireLease: TicketStore['expireLease'] = async (id, agentId, now, origin) => {
    const lease = this.docs.get(id)?.ticket?.leaseExpiresAt;
    if (!lease || lease.getTime() > now.getTime()) return null;
    return this.requeue(id, agentId, ['claimed'], now, eventOf('lease-expired', origin, { agentId }));
  };

  markLeaseLapsed: TicketStore['markLeaseLapsed'] = async (id, agentId, now, origin) => {
    const doc = this.docs.get(id);
    const lease = doc?.ticket?.leaseExpiresAt;
    if (!doc?.ticket || doc.status !== 'in_progress' || doc.ticket.agentId !== agentId) return null;
    if (!lease || lease.getTime() > now.getTime()) return null;
    doc.ticket.leaseExpiresAt = null;
    doc.updatedAt = now;
    doc.events.push(eventOf('lease-lapsed', origin, { agentId }));
    return this.answer(doc);
  };

  handBack: TicketStore['handBack'] = async (id, agentId, now, origin) => {
    return this.requeue(id, agentId, ['claimed'], now, eventOf('handed-back', origin, { agentId }));
  };

  private requeue(
    id: string,
    agentId: string,
    from: readonly ComplaintRecord['status'][],
    now: Date,
    event: ComplaintRecord['events'][number],
  ): ComplaintRecord | null {
    const doc = this.docs.get(id);
    if (!doc?.ticket || !from.includes(doc.status) || doc.ticket.agentId !== agentId) return null;
    doc.status = 'queued';
    doc.updatedAt = now;
    Object.assign(doc.ticket, { agentId: null, claimedAt: null, leaseExpiresAt: null });
    doc.events.push(event);
    return this.answer(doc);
  }

  fireSlaStep: TicketStore['fireSlaStep'] = async (id, guard, firing) => {
    const found = this.guarded(id, guard);
    if (!found) return null;
    const { doc, ticket, sla } = found;
    if (sla.phase !== firing.phase || sla.fired?.[firing.phase]?.[firing.key] !== undefined) return null;
    sla.fired = {
      ...sla.fired,
      [firing.phase]: { ...sla.fired?.[firing.phase], [firing.key]: firing.firedAt },
    };
    doc.updatedAt = firing.firedAt;
    if (firing.move) {
      doc.status = 'queued';
      Object.assign(ticket, structuredClone(firing.move.ticket));
      Object.assign(sla, structuredClone(firing.move.sla));
    }
    doc.events.push(...structuredClone(firing.events));
    ticket.priorityScore += firing.raisePriorityBy;
    return this.answer(doc);
  };

  appendEvent: TicketStore['appendEvent'] = async (id, type, origin, data) => {
    this.docs.get(id)?.events.push(eventOf(type, origin, data));
  };

  claimById: TicketStore['claimById'] = async (id, request) => {
    const doc = this.docs.get(id);
    if (!doc?.ticket || doc.status !== 'queued') return null;
    doc.status = 'claimed';
    doc.updatedAt = request.now;
    Object.assign(doc.ticket, {
      agentId: request.agentId,
      claimedAt: request.now,
      leaseExpiresAt: request.leaseUntil,
    });
    doc.events.push(eventOf(request.eventType, request.origin, { agentId: request.agentId }));
    return this.answer(doc);
  };

  appendNote: TicketStore['appendNote'] = async (id, note, origin) => {
    const doc = this.docs.get(id);
    if (!doc?.ticket) return null;
    doc.notes = [...(doc.notes ?? []), note];
    doc.events.push(eventOf('note-added', origin, { noteId: note.id, visibility: note.visibility }));
    doc.updatedAt = note.at;
    return this.answer(doc);
  };

  addFollowUp: TicketStore['addFollowUp'] = async (id, followUp, holder, origin) => {
    const doc = this.docs.get(id);
    if (!doc?.ticket || doc.status === 'closed') return null;
    if (holder !== undefined && doc.ticket.agentId !== holder) return null;
    doc.followUps = [...(doc.followUps ?? []), structuredClone(followUp)];
    doc.events.push(
      eventOf('follow-up.promised', origin, { followUpId: followUp.id, dueAt: followUp.dueAt }),
    );
    doc.updatedAt = followUp.createdAt;
    return this.answer(doc);
  };

  updateFollowUp: TicketStore['updateFollowUp'] = async (id, at, expected, set, event) => {
    const doc = this.docs.get(id);
    const followUp = doc?.followUps?.[at.index];
    if (followUp?.id !== at.id) return null;
    if (!doc || !matches(followUp, expected)) return null;
    Object.assign(followUp, structuredClone(set));
    doc.events.push(structuredClone(event));
    doc.updatedAt = event.at;
    return this.answer(doc);
  };

  recordCsat: TicketStore['recordCsat'] = async (id, csat, event) => {
    const doc = this.docs.get(id);
    if (!doc || doc.csatRounds?.includes(csat.round)) return null;
    doc.csat = structuredClone(csat);
    doc.csatRounds = [...(doc.csatRounds ?? []), csat.round];
    doc.events.push(structuredClone(event));
    return this.answer(doc);
  };

  fatalQaNotSampled: TicketStore['fatalQaNotSampled'] = async (limit) =>
    [...this.docs.values()]
      .filter((doc) => doc.status === 'closed' && doc.qa?.fatal === true && doc.qa.sampled !== true)
      .slice(0, limit)
      .flatMap((doc) => this.answer(doc) ?? []);

  markQaSampled: TicketStore['markQaSampled'] = async (id) => {
    const doc = this.docs.get(id);
    if (doc?.qa) doc.qa = { ...doc.qa, sampled: true };
  };

  withOverdueFollowUps: TicketStore['withOverdueFollowUps'] = async (before, limit) => {
    return [...this.docs.values()]
      .filter((doc) =>
        (doc.followUps ?? []).some(
          (entry) => entry.status === 'pending' && entry.dueAt.getTime() < before.getTime(),
        ),
      )
      .slice(0, limit)
      .flatMap((doc) => this.answer(doc) ?? []);
  };

  heldCounts: TicketStore['heldCounts'] = async () => {
    const counts = new Map<string, number>();
    for (const doc of this.docs.values()) {
      const agentId = doc.ticket?.agentId;
      if (agentId && heldStatuses.includes(doc.status)) counts.set(agentId, (counts.get(agentId) ?? 0) + 1);
    }
    return counts;
  };

  ticketLeftAgentSince: TicketStore['ticketLeftAgentSince'] = async (agentId, since) =>
    [...this.docs.values()].some((doc) => {
      if (doc.updatedAt.getTime() < since.getTime()) return false;
      if (doc.ticket?.agentId === agentId) return !heldStatuses.includes(doc.status);
      return doc.events.some((event) => event.data?.agentId === agentId);
    });

  countHeld: TicketStore['countHeld'] = async (agentId) => {
    return [...this.docs.values()].filter(
      (doc) => doc.ticket?.agentId === agentId && heldStatuses.includes(doc.status),
    ).length;
  };

  claimedBy: TicketStore['claimedBy'] = async (agentId) => {
    return [...this.docs.values()]
      .filter((doc) => doc.ticket?.agentId === agentId && doc.status === 'claimed')
      .map((doc) => doc._id);
  };

  overdueLeases: TicketStore['overdueLeases'] = async (before, limit) => {
    return [...this.docs.values()]
      .flatMap((doc) => {
        const lease = doc.ticket?.leaseExpiresAt;
        const agentId = doc.ticket?.agentId;
        const overdue = leasedStatuses.includes(doc.status) && lease && lease.getTime() < before.getTime();
        return overdue && agentId ? [{ _id: doc._id, agentId }] : [];
      })
      .slice(0, limit);
  };

  queuesWithWaitingTickets: TicketStore['queuesWithWaitingTickets'] = async (queues) => {
    const waiting = new Set(
      [...this.docs.values()].flatMap((doc) =>
        doc.status === 'queued' && doc.ticket ? [doc.ticket.queue] : [],
      ),
    );
    return queues.filter((queue) => waiting.has(queue));
  };

  /** No claim index here: the exact answer. */
  queuesWithIndexedTickets: TicketStore['queuesWithIndexedTickets'] = async (queues) =>
    this.queuesWithWaitingTickets(queues);

  markTimersPlanned: TicketStore['markTimersPlanned'] = async (id, generation) => {
    const sla = this.docs.get(id)?.ticket?.sla;
    if (sla?.generation === generation && sla.timersPending) delete sla.timersPending;
  };

  withPendingTimers: TicketStore['withPendingTimers'] = async (before, limit) => {
    return [...this.docs.values()]
      .filter(
        (doc) =>
          doc.ticket?.sla?.timersPending === true &&
          openStatuses.includes(doc.status) &&
          doc.updatedAt.getTime() < before.getTime(),
      )
      .slice(0, limit)
      .map((doc) => structuredClone(doc));
  };

  reconcileClaimIndex: TicketStore['reconcileClaimIndex'] = async () => {
    this.reconciliations++;
    return { ...this.repairToReport };
  };
}
