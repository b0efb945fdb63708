import type { ComplaintRecord, TicketNote } from '@triage/shared/complaint';
import type { CrmEventKind } from '@triage/shared/sources';
import { surveyFor } from './csat';
import type { DeskDeps } from './desk-deps';

/** One status change for a CRM, delivered (and retried) by the router's crm job queue. */
export interface CrmDelivery {
  /** Deterministic: one delivery per complaint and change, however often it is offered. */
  id: string;
  complaintId: string;
  source: string;
  url: string;
  payload: Record<string, unknown>;
}

/** What a change adds to the payload: the note for `note`; nothing else for the others. */
export interface CrmChange {
  kind: CrmEventKind;
  note?: TicketNote;
}

/** The part of the id that tells two changes of one kind apart (a second resolve after a reopen…). */
function discriminator(complaint: ComplaintRecord, change: CrmChange): string {
  const ticket = complaint.ticket;
  switch (change.kind) {
    case 'triaged':
      return '0';
    case 'assigned':
      return `${ticket?.agentId ?? 'none'}-${ticket?.claimedAt ? new Date(ticket.claimedAt).getTime() : 0}`;
    case 'note':
      return change.note?.id ?? 'none';
    case 'resolved':
    case 'reopened':
      return String(ticket?.reopenCount ?? 0);
  }
}

/** The CRM's view of the change: the ticket as it now is, and what changed. */
export function crmPayload(
  complaint: ComplaintRecord,
  change: CrmChange,
  at: Date,
  survey?: { url: string; expiresAt: Date },
): Record<string, unknown> {
  const { decision, ticket } = complaint;
  return {
    event: `ticket.${change.kind}`,
    at: at.toISOString(),
    complaintId: complaint._id,
    source: complaint.source,
    ...(complaint.externalId !== undefined ? { externalId: complaint.externalId } : {}),
    customerId: complaint.customer.id,
    status: complaint.status,
    ticket: {
      queue: ticket?.queue ?? decision?.queue ?? null,
      category: decision?.category ?? null,
      severity: decision?.severity ?? null,
      priorityScore: ticket?.priorityScore ?? decision?.priority.score ?? null,
      firstResponseDueAt: decision?.firstResponseDueAt ?? null,
      resolutionDueAt: decision?.resolutionDueAt ?? null,
      agentId: ticket?.agentId ?? null,
      reopenCount: ticket?.reopenCount ?? 0,
    },
    ...(change.kind === 'note' && change.note
      ? {
          note: {
            id: change.note.id,
            text: change.note.text,
            author: change.note.author,
            at: change.note.at,
          },
        }
      : {}),
    ...(change.kind === 'resolved' && ticket?.resolution
      ? {
          resolution: {
            code: ticket.resolution.code,
            ...(ticket.resolution.summary !== undefined ? { summary: ticket.resolution.summary } : {}),
            finalAnswer: ticket.resolution.finalAnswer,
          },
        }
      : {}),
    // A resolve makes a satisfaction survey due: the CRM passes the link on to the customer.
    ...(change.kind === 'resolved' && survey
      ? { survey: { url: survey.url, expiresAt: survey.expiresAt.toISOString() } }
      : {}),
  };
}

/**
 * Tells the complaint's CRM of a change, when its source names an outgoing webhook that wants
 * it (rules/sources/<source>.json `outbound`). Deterministic delivery ids make offering a change
 * twice (a replayed job, a retried request) a no-op. The change stands whatever happens here: a
 * failure to queue the delivery is logged.
 */
export async function tellCrm(
  deps: Pick<DeskDeps, 'crmHooks' | 'timers' | 'logger' | 'now' | 'surveys'>,
  complaint: ComplaintRecord,
  change: CrmChange,
): Promise<void> {
  const hook = deps.crmHooks?.().get(complaint.source);
  if (!hook || (hook.events && !hook.events.includes(change.kind))) return;
  if (change.kind === 'note' && change.note?.visibility !== 'customer') return;
  const delivery: CrmDelivery = {
    id: `crm-${complaint._id}-${change.kind}-${discriminator(complaint, change)}`,
    complaintId: complaint._id,
    source: complaint.source,
    url: hook.url,
    payload: crmPayload(
      complaint,
      change,
      deps.now(),
      change.kind === 'resolved' ? surveyFor(deps, complaint) : undefined,
    ),
  };
  try {
    await deps.timers.tellCrm(delivery);
  } catch (error) {
    deps.logger.warn(
      { err: error, complaintId: complaint._id, change: change.kind },
      'CRM delivery not queued; the CRM misses this change',
    );
  }
}
