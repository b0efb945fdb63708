/**
 * The facts QA rules (rules/qa.json) may use: how a closed ticket was handled. The worker
 * computes them from the stored complaint when the ticket closes (a pure function of the
 * record, services/worker/src/domain/qa-facts-of-record.ts); rule fixtures give them directly.
 * rules/README.md documents the same list.
 */
export const qaFactCatalogue = {
  firstResponseMet:
    'whether the first acknowledgement came by the first-response deadline (paused time included); null when never acknowledged',
  firstResponseMinutes: 'minutes from receipt to the first acknowledgement; null when never acknowledged',
  resolutionMet:
    'whether the (last) resolve came by the resolution deadline (paused time included); null when never resolved',
  pausedMinutes: 'minutes the SLA clock stood still waiting for the customer',
  transferCount: 'how often an agent or admin transferred the ticket to another queue',
  queuesVisited:
    'the queues the ticket went through, in order (the triage queue, then transfers and escalation moves)',
  queue: 'the queue the ticket was closed in',
  reopenCount: 'how often the ticket was reopened',
  reopened: 'whether it was reopened at least once',
  followUpsMade: 'promises to the customer made on the ticket',
  followUpsKept: 'promises kept (done by their due time)',
  followUpsMissed: 'promises missed',
  hasResolutionCode: 'whether the resolve named a resolution code',
  resolutionCode: 'the resolution code ("" when none)',
  finalAnswer: 'whether the resolution was the final answer',
  resolutionSummary: 'the resolve summary ("" when none)',
  csatScore: "the customer's satisfaction score 1–5; null when the customer did not answer",
  csatComment: 'what the customer wrote with the score ("" when nothing)',
  notesText: 'every note on the ticket (internal and customer-visible), NFKC-normalised, one per line',
  customerNotesText: 'the customer-visible notes, NFKC-normalised, one per line',
  internalNotesText: 'the internal notes, NFKC-normalised, one per line',
  customerNoteCount: 'how many customer-visible notes were written',
  category: 'the triage category',
  severity: 'the severity (after any supervisor override)',
  customerTier: 'standard | silver | gold | platinum | vip',
  channel: 'how the complaint came in',
  language: 'BCP 47 tag of the complaint ("" when absent)',
  text: "the complaint's subject and body, NFKC-normalised",
  repeatCount:
    "the customer's other complaints received in the params.days days (default 30) before this one",
} as const;
export type QaFactName = keyof typeof qaFactCatalogue;
export const knownQaFacts: ReadonlySet<string> = new Set(Object.keys(qaFactCatalogue));

/** The facts of one closed ticket (every one but repeatCount, which asks the customer history). */
export interface QaFactValues {
  firstResponseMet: boolean | null;
  firstResponseMinutes: number | null;
  resolutionMet: boolean | null;
  pausedMinutes: number;
  transferCount: number;
  queuesVisited: string[];
  queue: string;
  reopenCount: number;
  reopened: boolean;
  followUpsMade: number;
  followUpsKept: number;
  followUpsMissed: number;
  hasResolutionCode: boolean;
  resolutionCode: string;
  finalAnswer: boolean;
  resolutionSummary: string;
  csatScore: number | null;
  csatComment: string;
  notesText: string;
  customerNotesText: string;
  internalNotesText: string;
  customerNoteCount: number;
  category: string;
  severity: string;
  customerTier: string;
  channel: string;
  language: string;
  text: string;
}

/** A closed ticket as the QA stage sees it: its facts and what the customer history is asked with. */
export interface QaTicket {
  complaintId: string;
  customerId: string;
  /** The complaint's receipt: repeatCount counts the customer's complaints before it. */
  receivedAt: Date;
  facts: QaFactValues;
}

/** The facts of a ticket handled by the book, for fixtures and tests to override. */
export function defaultQaFactValues(): QaFactValues {
  return {
    firstResponseMet: true,
    firstResponseMinutes: 30,
    resolutionMet: true,
    pausedMinutes: 0,
    transferCount: 0,
    queuesVisited: ['general'],
    queue: 'general',
    reopenCount: 0,
    reopened: false,
    followUpsMade: 0,
    followUpsKept: 0,
    followUpsMissed: 0,
    hasResolutionCode: true,
    resolutionCode: 'explained',
    finalAnswer: false,
    resolutionSummary: '',
    csatScore: null,
    csatComment: '',
    notesText: '',
    customerNotesText: '',
    internalNotesText: '',
    customerNoteCount: 0,
    category: 'general',
    severity: 'medium',
    customerTier: 'standard',
    channel: 'web',
    language: '',
    text: '',
  };
}
