import type { Logger } from '@triage/shared/kernel';
import type { QueueDefinition } from '@triage/rules';
import type { DeskDeps } from '../../src/domain/desk-deps';
import { FakeAgentStore } from './fake-agent-store';
import { FakeOutcomeLog } from './fake-outcome-log';
import { FakeTicketStore } from './fake-ticket-store';
import { FakeTimers } from './fake-timers';

/** 2026-03-02 10:00 UTC: one hour after the builders' complaints arrived. */
export const NOW = new Date('2026-03-02T10:00:00Z');
export const LEASE_MS = 15 * 60_000;

const ladderless = { warningShare: 0.5, steps: [] };

/**
 * The agent queues of the unit tests. billing has an escalation ladder: notify at the warning;
 * raise the priority and notify at the breach; 30 minutes later move to the escalations push
 * queue and raise again.
 */
export const testQueues: QueueDefinition[] = [
  { id: 'general', name: 'General', skills: ['general'], mode: 'pull', escalation: ladderless },
  {
    id: 'billing',
    name: 'Billing',
    skills: ['billing'],
    mode: 'pull',
    escalation: {
      warningShare: 0.5,
      steps: [
        { after: 'warning', actions: [{ type: 'notify', url: 'https://hooks.example/warning' }] },
        {
          after: 'breach',
          actions: [
            { type: 'raise-priority', by: 20 },
            { type: 'notify', url: 'https://hooks.example/breach' },
          ],
        },
        {
          after: 30,
          actions: [
            { type: 'move-queue', to: 'escalations' },
            { type: 'raise-priority', by: 10 },
          ],
        },
      ],
    },
  },
  { id: 'escalations', name: 'Escalations', skills: ['senior'], mode: 'push', escalation: ladderless },
  { id: 'fraud', name: 'Fraud', skills: ['fraud'], mode: 'push', escalation: ladderless },
];

/** A logger that keeps the messages it was given, by level. */
export function recordingLogger(): { logger: Logger; warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const record = (into: string[]) => (_details: unknown, message?: string) => {
    into.push(message ?? '');
  };
  const logger = {
    warn: record(warnings),
    info: record(infos),
    debug: () => undefined,
    error: record(warnings),
  } as unknown as Logger;
  return { logger, warnings, infos };
}

/** The use cases' dependencies, every port an in-memory fake, the clock stopped at `NOW`. */
export function fakeDesk() {
  let now = NOW;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
  const tickets = new FakeTicketStore();
  const agents = new FakeAgentStore(clock.now);
  const timers = new FakeTimers();
  const outcomes = new FakeOutcomeLog();
  const { logger, warnings, infos } = recordingLogger();
  const deps: DeskDeps = {
    tickets,
    agents,
    timers,
    outcomes,
    queues: () => testQueues,
    defaultQueue: () => 'general',
    leaseMs: LEASE_MS,
    logger,
    counterQuietMs: 30_000,
    now: clock.now,
  };
  return { deps, tickets, agents, timers, outcomes, clock, warnings, infos };
}
