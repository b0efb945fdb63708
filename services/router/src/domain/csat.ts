import { complaintEvent, type TicketCsat } from '@triage/shared/complaint';
import { ConflictError, NotFoundError } from '@triage/shared/kernel';
import type { DeskDeps } from './desk-deps';
import { offerForReview } from './request-auto-qa';

/** One satisfaction survey: the ticket and which resolve it asks about. */
export interface SurveyRef {
  complaintId: string;
  /** The ticket's reopen count when it was resolved. */
  round: number;
}

/** Mints and checks survey links (signed, expiring). */
export interface SurveyLinks {
  link(survey: SurveyRef, resolvedAt: Date): { url: string; expiresAt: Date };
  check(token: string, now: Date): SurveyRef | 'invalid' | 'expired';
}

export interface CsatAnswer {
  score: number;
  comment?: string;
}

/** The survey a resolved ticket is due: the link the CRM passes on to the customer. */
export function surveyFor(
  deps: Pick<DeskDeps, 'surveys'>,
  complaint: { _id: string; ticket?: { reopenCount?: number; resolvedAt?: Date | null } },
): { url: string; expiresAt: Date } | undefined {
  const resolvedAt = complaint.ticket?.resolvedAt;
  if (!deps.surveys || !resolvedAt) return undefined;
  return deps.surveys.link(
    { complaintId: complaint._id, round: complaint.ticket?.reopenCount ?? 0 },
    new Date(resolvedAt),
  );
}

/**
 * The customer answers a survey: stored on the complaint with its event, once per resolve — a
 * second answer through the same link is refused (409). The link must name a resolve that
 * happened (the ticket was resolved at least `round` reopens ago).
 */
export async function answerSurvey(
  deps: Pick<DeskDeps, 'tickets' | 'now' | 'logger' | 'requestQaReview'>,
  survey: SurveyRef,
  answer: CsatAnswer,
  via: TicketCsat['via'],
): Promise<TicketCsat> {
  const current = await deps.tickets.findById(survey.complaintId);
  const ticket = current?.ticket;
  const reopens = ticket?.reopenCount ?? 0;
  const resolvedThen = ticket && (survey.round < reopens || (survey.round === reopens && ticket.resolvedAt));
  if (!current || !resolvedThen) throw new NotFoundError('No survey for this link.');
  if (current.csatRounds?.includes(survey.round)) {
    throw new ConflictError('This survey was already answered. Thank you!');
  }
  const csat: TicketCsat = {
    score: answer.score,
    ...(answer.comment !== undefined ? { comment: answer.comment } : {}),
    at: deps.now(),
    round: survey.round,
    via,
  };
  const event = complaintEvent('csat.answered', {
    actor: via === 'page' ? 'customer' : 'crm',
    data: { score: csat.score, round: csat.round, agentId: ticket.agentId ?? null },
  });
  const stored = await deps.tickets.recordCsat(survey.complaintId, csat, event);
  if (!stored) throw new ConflictError('This survey was already answered. Thank you!');
  // A low score on a ticket already closed may draw it for review (at close, it was not known).
  await offerForReview(deps, stored);
  return csat;
}
