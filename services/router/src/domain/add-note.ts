import { randomUUID } from 'node:crypto';
import type { ComplaintRecord, TicketNote } from '@triage/shared/complaint';
import { NotFoundError } from '@triage/shared/kernel';
import { tellCrm } from './crm-loop';
import type { DeskDeps } from './desk-deps';

export interface NoteInput {
  text: string;
  visibility: TicketNote['visibility'];
}

/**
 * Someone who may see the ticket writes on it: the note is appended with its author and time,
 * and the ticket's history records it; a customer-visible note is also sent to the CRM. Notes are kept whatever the ticket's status (a closed
 * ticket may still get a note for the next person who reads it).
 */
export async function addNote(
  deps: Pick<DeskDeps, 'tickets' | 'now' | 'crmHooks' | 'timers' | 'logger' | 'surveys'>,
  complaintId: string,
  author: string,
  input: NoteInput,
  requestId: string | undefined,
): Promise<{ note: TicketNote; ticket: ComplaintRecord }> {
  const note: TicketNote = {
    id: randomUUID(),
    text: input.text,
    visibility: input.visibility,
    author,
    at: deps.now(),
  };
  const ticket = await deps.tickets.appendNote(complaintId, note, { actor: author, requestId });
  if (!ticket) throw new NotFoundError(`No ticket with id ${complaintId}.`);
  // Customer-visible notes go to the CRM (rules/sources/<source>.json `outbound`).
  await tellCrm(deps, ticket, { kind: 'note', note });
  return { note, ticket };
}
