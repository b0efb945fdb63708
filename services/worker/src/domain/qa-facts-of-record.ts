import type { QaFactValues, QaTicket } from '@triage/rules';
import type { ComplaintRecord, SlaPause } from '@triage/shared/complaint';

const MINUTE_MS = 60_000;

/**
 * The customer's satisfaction answer, as the router stores it on the complaint (`csat`, absent
 * until the customer answers). Read structurally: QA needs only the score and the comment.
 */
interface CsatAnswer {
  score: number;
  comment?: string;
}

function csatOf(complaint: ComplaintRecord): CsatAnswer | null {
  const csat = (complaint as { csat?: unknown }).csat;
  if (typeof csat !== 'object' || csat === null) return null;
  const { score, comment } = csat as { score?: unknown; comment?: unknown };
  if (typeof score !== 'number' || !Number.isFinite(score)) return null;
  return { score, ...(typeof comment === 'string' ? { comment } : {}) };
}

const time = (value: Date | string | undefined | null): number | undefined =>
  value === undefined || value === null ? undefined : new Date(value).getTime();

/** Milliseconds the clock stood still before `at` (closed pauses, and the open one). */
function pausedBefore(complaint: ComplaintRecord, at: number): number {
  const sla = complaint.ticket?.sla;
  if (!sla) return 0;
  const spans: Array<{ from: number; to: number }> = (sla.pauses ?? []).map((pause: SlaPause) => ({
    from: new Date(pause.from).getTime(),
    to: new Date(pause.to).getTime(),
  }));
  const openSince = time(sla.pausedAt);
  if (openSince !== undefined) spans.push({ from: openSince, to: at });
  return spans.reduce((sum, span) => sum + Math.max(0, Math.min(span.to, at) - span.from), 0);
}

function firstEventAt(complaint: ComplaintRecord, type: string): number | undefined {
  const event = complaint.events.find((e) => e.type === type);
  return event ? new Date(event.at).getTime() : undefined;
}

function lastEventAt(complaint: ComplaintRecord, type: string): number | undefined {
  const event = complaint.events.findLast((e) => e.type === type);
  return event ? new Date(event.at).getTime() : undefined;
}

/** Whether `at` came by `dueAt` moved by the time paused before `at`; null when either is unknown. */
function metDeadline(complaint: ComplaintRecord, at: number | undefined, dueAt: number | undefined) {
  if (at === undefined || dueAt === undefined) return null;
  return at <= dueAt + pausedBefore(complaint, at);
}

/** The queues a ticket went through: its triage queue, then every transfer and escalation move. */
function queuesVisited(complaint: ComplaintRecord): string[] {
  const visited: string[] = [];
  const visit = (queue: unknown) => {
    if (typeof queue === 'string' && queue && visited[visited.length - 1] !== queue) visited.push(queue);
  };
  visit(complaint.decision?.queue);
  for (const event of complaint.events) {
    if (event.type === 'transferred' || event.type === 'queue-moved') visit(event.data?.to);
  }
  visit(complaint.ticket?.queue);
  return visited;
}

const joinNotes = (texts: readonly string[]) => texts.join('\n').normalize('NFKC');

/**
 * The QA facts of a closed ticket, from its stored complaint alone (rules/README.md, QA facts).
 * Pure: the same record always gives the same facts, so a replay scores as the close did.
 * Deadlines are the ticket's SLA clock's; the first response is the first acknowledgement.
 */
export function qaFactsOfRecord(complaint: ComplaintRecord): QaTicket {
  const { ticket, decision } = complaint;
  const sla = ticket?.sla;
  const receivedAt = new Date(complaint.receivedAt).getTime();
  const firstResponseAt = firstEventAt(complaint, 'acknowledged');
  const resolvedAt = time(ticket?.resolvedAt) ?? lastEventAt(complaint, 'resolved');
  const notes = complaint.notes ?? [];
  const customerNotes = notes.filter((note) => note.visibility === 'customer');
  const followUps = complaint.followUps ?? [];
  const waitingMs = (sla?.pauses ?? [])
    .filter((pause) => pause.reason === 'waiting_customer')
    .reduce((sum, pause) => sum + (new Date(pause.to).getTime() - new Date(pause.from).getTime()), 0);
  const csat = csatOf(complaint);
  const reopenCount = ticket?.reopenCount ?? complaint.events.filter((e) => e.type === 'reopened').length;
  const resolution = ticket?.resolution ?? null;
  const facts: QaFactValues = {
    firstResponseMet: metDeadline(
      complaint,
      firstResponseAt,
      time(sla?.firstResponseDueAt ?? decision?.firstResponseDueAt),
    ),
    firstResponseMinutes:
      firstResponseAt === undefined ? null : Math.round((firstResponseAt - receivedAt) / MINUTE_MS),
    resolutionMet: metDeadline(
      complaint,
      resolvedAt,
      time(sla?.resolutionDueAt ?? decision?.resolutionDueAt),
    ),
    pausedMinutes: Math.round(waitingMs / MINUTE_MS),
    transferCount: ticket?.transferCount ?? complaint.events.filter((e) => e.type === 'transferred').length,
    queuesVisited: queuesVisited(complaint),
    queue: ticket?.queue ?? decision?.queue ?? '',
    reopenCount,
    reopened: reopenCount > 0,
    followUpsMade: followUps.length,
    followUpsKept: followUps.filter((f) => f.status === 'kept').length,
    followUpsMissed: followUps.filter((f) => f.status === 'missed').length,
    hasResolutionCode: Boolean(resolution?.code),
    resolutionCode: resolution?.code ?? '',
    finalAnswer: resolution?.finalAnswer ?? false,
    resolutionSummary: (resolution?.summary ?? '').normalize('NFKC'),
    csatScore: csat?.score ?? null,
    csatComment: csat?.comment ?? '',
    notesText: joinNotes(notes.map((note) => note.text)),
    customerNotesText: joinNotes(customerNotes.map((note) => note.text)),
    internalNotesText: joinNotes(notes.filter((n) => n.visibility === 'internal').map((n) => n.text)),
    customerNoteCount: customerNotes.length,
    category: decision?.category ?? 'general',
    severity: decision?.severity ?? 'medium',
    customerTier: complaint.customer.tier ?? 'standard',
    channel: complaint.channel,
    language: complaint.language ?? '',
    text: [complaint.subject, complaint.body].filter(Boolean).join('\n').normalize('NFKC'),
  };
  return {
    complaintId: complaint._id,
    customerId: complaint.customer.id,
    receivedAt: new Date(complaint.receivedAt),
    facts,
  };
}
