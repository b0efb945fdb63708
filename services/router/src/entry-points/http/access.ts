import {
  actorLabel,
  ForbiddenError,
  NotFoundError,
  seesEverything,
  type Principal,
} from '@triage/shared/kernel';
import type { ComplaintRecord } from '@triage/shared/complaint';
import { type QueueDefinition } from '@triage/rules';
import { z } from 'zod';
import { eligibleQueues } from '../../domain/ticket-lifecycle';

export const agentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'an agent id (letters, digits, . _ -)');
export const agentParams = z.object({ agentId: agentIdSchema });
export const ticketParams = z.object({ id: z.uuid('must be a ticket id (UUID)') });

/** Agents act for themselves; supervisors and admins may act for anyone (assigning work). */
export function assertActsFor(principal: Principal, agentId: string): void {
  if (seesEverything(principal)) return;
  if (principal.role === 'agent' && principal.subject === agentId) return;
  throw new ForbiddenError(`This key may not act for agent ${agentId}.`);
}

/** Who is acting: an agent (bound to the tickets they hold) or a supervisor or admin (not bound). */
export function actorOf(principal: Principal): { agentId?: string; label: string } {
  if (principal.role === 'agent') return { agentId: principal.subject, label: actorLabel(principal) };
  return { label: actorLabel(principal) };
}

/** The skills of an agent, as the agents collection holds them. */
export interface AgentSkills {
  findById(id: string): Promise<{ skills: readonly string[] } | null>;
}

/** The queues a principal may read: every queue for supervisors and admins, else the agent's eligible ones. */
async function readableQueues(
  principal: Principal,
  agents: AgentSkills,
  queues: readonly QueueDefinition[],
): Promise<ReadonlySet<string> | 'all'> {
  if (seesEverything(principal)) return 'all';
  if (principal.role !== 'agent') return new Set();
  const agent = await agents.findById(principal.subject);
  return new Set(agent ? eligibleQueues(queues, agent.skills) : []);
}

/** Whether `agentId` holds the ticket now or held it before (claimed or was assigned it). */
function heldBy(complaint: Pick<ComplaintRecord, 'ticket' | 'events'>, agentId: string): boolean {
  if (complaint.ticket?.agentId === agentId) return true;
  return complaint.events.some(
    (event) =>
      (event.type === 'claimed' || event.type === 'assigned') &&
      (event.data as { agentId?: unknown } | undefined)?.agentId === agentId,
  );
}

/**
 * Object-level access to one ticket (OWASP BOLA): supervisors and admins read all; an agent reads
 * a ticket in a queue their skills serve, or one they hold or held. Anything else is 404, so ids
 * cannot be probed.
 */
export async function assertMayReadTicket(
  principal: Principal,
  complaint: Pick<ComplaintRecord, '_id' | 'ticket' | 'events'>,
  agents: AgentSkills,
  queues: readonly QueueDefinition[],
): Promise<void> {
  // The holder first: it needs no read of the agent, and every action an agent takes on their
  // own ticket (resolve, ack, heartbeat) passes here.
  if (principal.role === 'agent' && heldBy(complaint, principal.subject)) return;
  const readable = await readableQueues(principal, agents, queues);
  if (readable === 'all') return;
  if (complaint.ticket && readable.has(complaint.ticket.queue)) return;
  throw new NotFoundError(`No ticket with id ${complaint._id}.`);
}

/** Function-level access to a queue's list: an agent lists only queues whose skills they have. */
export async function assertMayListQueue(
  principal: Principal,
  queueId: string,
  agents: AgentSkills,
  queues: readonly QueueDefinition[],
): Promise<void> {
  const readable = await readableQueues(principal, agents, queues);
  if (readable === 'all' || readable.has(queueId)) return;
  throw new ForbiddenError(`This key may not list queue ${queueId}: it needs that queue's skills.`);
}
