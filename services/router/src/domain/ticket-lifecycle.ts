import type { ComplaintStatus, QueueDefinition } from '@triage/shared';

export type TicketAction = 'ack' | 'resolve' | 'release';

interface Transition {
  from: readonly ComplaintStatus[];
  to: ComplaintStatus;
  event: string;
}

/** Which status each agent action leaves from and goes to; anything else is a 409. */
export const ticketTransitions: Record<TicketAction, Transition> = {
  ack: { from: ['claimed'], to: 'in_progress', event: 'acknowledged' },
  resolve: { from: ['claimed', 'in_progress', 'waiting_customer'], to: 'resolved', event: 'resolved' },
  release: { from: ['claimed', 'in_progress'], to: 'queued', event: 'released' },
};

/** The queues an agent may take from: those whose every required skill the agent has. */
export function eligibleQueues(queues: readonly QueueDefinition[], agentSkills: readonly string[]): string[] {
  const skills = new Set(agentSkills);
  return queues.filter((queue) => queue.skills.every((skill) => skills.has(skill))).map((queue) => queue.id);
}
