import type { Logger } from '@triage/shared/kernel';
import type { OutboundHook } from '@triage/shared/sources';
import type { BusinessCalendar, EscalationLadder, QueueDefinition } from '@triage/rules';
import type { SurveyLinks } from './csat';
import type { AgentStore, AutoQaQueue, OutcomeLog, TicketStore, TimerPort } from './ports';

/** What every use case of the router is given: its ports, the agent queues and the clock. */
export interface DeskDeps {
  tickets: TicketStore;
  agents: AgentStore;
  timers: TimerPort;
  /** Where resolutions are recorded for the customer's later complaints. */
  outcomes: OutcomeLog;
  /** The agent queues (queues.json as loaded now). */
  queues: () => readonly QueueDefinition[];
  /** Where a decision naming an unknown queue goes (queues.json's defaultQueue, as loaded now). */
  defaultQueue: () => string;
  leaseMs: number;
  logger: Logger;
  /** The business calendars (calendars.json as loaded now): follow-ups due in business minutes. */
  calendars?: () => ReadonlyMap<string, BusinessCalendar>;
  /** Outgoing CRM webhooks by source (rules/sources/*.json `outbound`, as loaded now). */
  crmHooks?: () => ReadonlyMap<string, OutboundHook>;
  /** Satisfaction survey links, carried to the CRM with each resolve. */
  surveys?: SurveyLinks;
  /** Where closed tickets go to be scored by the auto-QA rules (docs/quality.md). */
  autoQa?: AutoQaQueue;
  /** A capacity counter that has not moved for this long may be corrected from the tickets. */
  counterQuietMs?: number;
  now: () => Date;
}

/** How often a compare-and-set is retried on a ticket that keeps changing under us. */
export const CAS_ATTEMPTS = 5;

export function queueById(deps: Pick<DeskDeps, 'queues'>, id: string): QueueDefinition | undefined {
  return deps.queues().find((queue) => queue.id === id);
}

/** The escalation ladder of an agent queue; an unknown queue has a warning and no steps. */
export function ladderOfQueue(queue: QueueDefinition | undefined): EscalationLadder {
  return queue?.escalation ?? { warningShare: 0.75, steps: [] };
}

export function ladderOf(deps: Pick<DeskDeps, 'queues'>, queueId: string): EscalationLadder {
  return ladderOfQueue(queueById(deps, queueId));
}

/** The push queues among the agent queues. */
export function pushQueues(deps: Pick<DeskDeps, 'queues'>): QueueDefinition[] {
  return deps.queues().filter((queue) => queue.mode === 'push');
}
