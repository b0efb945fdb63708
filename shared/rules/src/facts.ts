import { DateTime } from 'luxon';
import type { BusinessCalendar } from './business-calendar';
import { isOpenAt } from './business-calendar';
import { localClock, type LocalClock } from './zone-offsets';

/** The complaint fields rules can see (a plain object; no mongoose document). */
export interface ComplaintFacts {
  id: string;
  source: string;
  channel: string;
  subject?: string;
  body: string;
  product?: string;
  language?: string;
  customer: { id: string; tier?: string; name?: string };
  metadata?: Record<string, unknown>;
  receivedAt: Date;
  occurredAt?: Date;
}

/** The outcome of one of the customer's earlier complaints, as the router recorded it on resolve. */
export interface PriorOutcome {
  complaintId: string;
  /** The earlier complaint's triage category. */
  category: string;
  /** Its resolution code (rules/resolution-codes.json). */
  code: string;
  /** Whether the resolution was the organisation's final answer. */
  finalAnswer: boolean;
  /** When it was resolved. */
  at: Date;
}

/** Lookups that need the database; each is called at most once per evaluation. */
export interface FactSources {
  /** Ids of the customer's other complaints received in the last `days` days, newest first. */
  recentComplaintIds(customerId: string, days: number, excludeId: string): Promise<string[]>;
  /** How many of the customer's other complaints are not resolved or closed. */
  openComplaints(customerId: string, excludeId: string): Promise<number>;
  /** Whether the customer is on the blocklist at `at`. */
  isBlocklisted(customerId: string, at: Date): Promise<boolean>;
  /**
   * Outcomes recorded for the customer's other complaints, newest first. Optional: sources
   * without it (benchmarks, older fakes) answer as a customer with no resolved complaints.
   */
  priorOutcomes?(customerId: string, excludeId: string): Promise<PriorOutcome[]>;
}

/** Fact sources for evaluations that have no database (dry runs of a bare complaint, benchmarks). */
export const noHistoryFactSources: FactSources = {
  recentComplaintIds: async () => [],
  openComplaints: async () => 0,
  isBlocklisted: async () => false,
};

/** Every fact name a rule may use, with what it holds; rules/README.md documents the same list. */
export const factCatalogue = {
  text: 'subject and body together, NFKC-normalised (use with containsAny / containsAll / matchesRegex)',
  subject: 'the subject line',
  body: 'the complaint text',
  channel: 'phone | email | web | chat | sms | social | letter | fax | referral | other',
  product: 'the product named by the source',
  language: 'BCP 47 tag, e.g. zh-CN, en',
  source: 'the CRM source (api for direct submissions)',
  customerId: "the customer's id",
  customerTier: 'standard | silver | gold | platinum | vip (standard when absent)',
  metadata: 'the free-form metadata object; use "path": "$.key"',
  sourceTags: 'tags the source attached (metadata.tags), e.g. "older-american", "servicemember"',
  receivedAt: 'ISO time intake stored the complaint',
  occurredAt: 'ISO time the customer says it happened (receivedAt when absent)',
  ageHours: 'hours since occurredAt',
  receivedHour: 'hour of day 0-23 at receipt; params.timeZone (IANA) else UTC',
  receivedWeekday: '1 (Monday) to 7 (Sunday) at receipt; params.timeZone else UTC',
  insideBusinessHours:
    'whether receipt falls inside a calendar; params.calendar names it (rules/calendars.json)',
  repeatCount: "the customer's other complaints in the last params.days days (default 30)",
  openComplaints: "the customer's other complaints not yet resolved",
  blocklisted: 'whether the customer is on the blocklist now',
  priorResolutionCodes: "resolution codes of the customer's earlier resolved complaints, newest first",
  priorFinalAnswer:
    'whether an earlier complaint of the customer on this category got a final answer (from severity on)',
  daysSinceFinalAnswer:
    'days from that final answer to receipt of this complaint (undefined when none; from severity on)',
  category: 'set by the classify stage (visible from severity on)',
  severity: 'set by the severity stage (visible from sla on)',
  tags: 'tags set by earlier stages',
  flags: 'flags set by earlier stages',
} as const;
export type FactName = keyof typeof factCatalogue;
export const knownFacts: ReadonlySet<string> = new Set(Object.keys(factCatalogue));

/**
 * Facts that depend on the category, which the classify stage decides: refused in classify
 * rules (they would see no category, and a computed value is kept for the whole evaluation).
 */
export const categoryDependentFacts: ReadonlySet<string> = new Set([
  'priorFinalAnswer',
  'daysSinceFinalAnswer',
]);

/** The values of the static facts of one complaint (dynamic ones are added by the evaluator). */
export function staticFacts(complaint: ComplaintFacts, now: Date): Record<string, unknown> {
  const occurredAt = complaint.occurredAt ?? complaint.receivedAt;
  const rawTags = complaint.metadata?.tags;
  return {
    text: [complaint.subject, complaint.body].filter(Boolean).join('\n').normalize('NFKC'),
    subject: complaint.subject ?? '',
    body: complaint.body,
    channel: complaint.channel,
    product: complaint.product ?? '',
    language: complaint.language ?? '',
    source: complaint.source,
    customerId: complaint.customer.id,
    customerTier: complaint.customer.tier ?? 'standard',
    metadata: complaint.metadata ?? {},
    sourceTags: Array.isArray(rawTags) ? rawTags.filter((t): t is string => typeof t === 'string') : [],
    receivedAt: complaint.receivedAt.toISOString(),
    occurredAt: occurredAt.toISOString(),
    ageHours: Math.max(0, (now.getTime() - occurredAt.getTime()) / 3_600_000),
  };
}

/** The zone a time-zone fact's `params.timeZone` names: UTC unless it is a non-empty string. */
function zoneParam(timeZone: unknown): string {
  return typeof timeZone === 'string' && timeZone ? timeZone : 'UTC';
}

/** `at` as a luxon DateTime in the zone a rule names (the reference for {@link receivedClock}). */
export function localTime(at: Date, timeZone: unknown): DateTime {
  return DateTime.fromJSDate(at, { zone: zoneParam(timeZone) });
}

/**
 * receivedHour and receivedWeekday: `localTime(at, timeZone).hour` and `.weekday`, without
 * building a DateTime and with the zone's offset remembered by the hour (zone-offsets.ts).
 */
export function receivedClock(at: Date, timeZone: unknown): LocalClock {
  return localClock(at, zoneParam(timeZone));
}

export function insideCalendar(
  calendars: ReadonlyMap<string, BusinessCalendar>,
  id: unknown,
  at: Date,
): boolean {
  const calendar = typeof id === 'string' ? calendars.get(id) : undefined;
  return calendar ? isOpenAt(calendar, at) : false;
}
