import type { ComplaintRecord, TicketCsat, TicketFollowUp, TicketNote } from '@triage/shared/complaint';
import { answerSurvey, type CsatAnswer, type SurveyRef } from './csat';
import { addNote, type NoteInput } from './add-note';
import { assignTicket } from './assign-ticket';
import { actOnTicket, type TicketActionOptions, type TicketActor } from './act-on-ticket';
import { claimNext } from './claim-next';
import type { DeskDeps } from './desk-deps';
import { expireLease, type LeaseOutcome } from './expire-lease';
import { fireSlaTimer, type SlaFiringOutcome } from './fire-sla-timer';
import {
  completeFollowUp,
  fireFollowUp,
  promiseFollowUp,
  type FollowUpFiringOutcome,
  type FollowUpInput,
} from './follow-ups';
import { maintenanceSweep, type SweepResult } from './maintenance-sweep';
import { overrideTicket, type TicketOverride } from './override-ticket';
import type { Agent, EventOrigin } from './ports';
import { renewLease } from './renew-lease';
import { routeTriaged, type RouteOutcome } from './route-triaged';
import { agentChanged, setPresence } from './set-presence';
import type { SlaTimerDue } from './plan-sla-step';
import type { TicketAction } from './ticket-lifecycle';

export type TicketDeskDeps = Omit<DeskDeps, 'now'> & { now?: () => Date };

/**
 * The router's use cases behind one facade, for the HTTP handlers and queue processors: each
 * method is one use case, in a file of its own (route-triaged.ts, claim-next.ts, …).
 */
export class TicketDesk {
  private readonly deps: DeskDeps;

  constructor(deps: TicketDeskDeps) {
    this.deps = { ...deps, now: deps.now ?? (() => new Date()) };
  }

  routeTriaged(complaintId: string, requestId: string | undefined): Promise<RouteOutcome> {
    return routeTriaged(this.deps, complaintId, requestId);
  }

  claim(agentId: string, requestId: string | undefined): Promise<ComplaintRecord | null> {
    return claimNext(this.deps, agentId, requestId);
  }

  act(
    complaintId: string,
    action: TicketAction,
    actor: TicketActor,
    options: TicketActionOptions = {},
  ): Promise<ComplaintRecord> {
    return actOnTicket(this.deps, complaintId, action, actor, options);
  }

  assign(complaintId: string, agentId: string, origin: EventOrigin): Promise<ComplaintRecord> {
    return assignTicket(this.deps, complaintId, agentId, origin);
  }

  override(complaintId: string, override: TicketOverride, origin: EventOrigin): Promise<ComplaintRecord> {
    return overrideTicket(this.deps, complaintId, override, origin);
  }

  addNote(
    complaintId: string,
    author: string,
    input: NoteInput,
    requestId: string | undefined,
  ): Promise<{ note: TicketNote; ticket: ComplaintRecord }> {
    return addNote(this.deps, complaintId, author, input, requestId);
  }

  promiseFollowUp(
    complaintId: string,
    actor: TicketActor,
    input: FollowUpInput,
    requestId: string | undefined,
  ): Promise<{ followUp: TicketFollowUp; ticket: ComplaintRecord }> {
    return promiseFollowUp(this.deps, complaintId, actor, input, requestId);
  }

  completeFollowUp(
    complaintId: string,
    followUpId: string,
    actor: TicketActor,
    note: string | undefined,
    requestId: string | undefined,
  ): Promise<{ followUp: TicketFollowUp; ticket: ComplaintRecord }> {
    return completeFollowUp(this.deps, complaintId, followUpId, actor, note, requestId);
  }

  fireFollowUp(
    complaintId: string,
    followUpId: string,
    kind: 'remind' | 'due',
  ): Promise<FollowUpFiringOutcome> {
    return fireFollowUp(this.deps, complaintId, followUpId, kind);
  }

  /** The stored ticket, as the use cases read it (null when there is none). */
  ticket(complaintId: string): Promise<ComplaintRecord | null> {
    return this.deps.tickets.findById(complaintId);
  }

  answerSurvey(survey: SurveyRef, answer: CsatAnswer, via: TicketCsat['via']): Promise<TicketCsat> {
    return answerSurvey(this.deps, survey, answer, via);
  }

  heartbeat(complaintId: string, actor: { agentId?: string }): Promise<ComplaintRecord> {
    return renewLease(this.deps, complaintId, actor);
  }

  expireLease(complaintId: string, agentId: string): Promise<LeaseOutcome> {
    return expireLease(this.deps, complaintId, agentId);
  }

  setPresence(
    agentId: string,
    online: boolean,
    requestId?: string,
  ): Promise<{ agent: Agent; handedBack: string[] }> {
    return setPresence(this.deps, agentId, online, requestId);
  }

  agentChanged(agent: Agent, requestId?: string): Promise<string[]> {
    return agentChanged(this.deps, agent, requestId);
  }

  fireSlaTimer(due: SlaTimerDue): Promise<SlaFiringOutcome> {
    return fireSlaTimer(this.deps, due);
  }

  sweep(graceMs?: number): Promise<SweepResult> {
    return maintenanceSweep(this.deps, graceMs);
  }
}
