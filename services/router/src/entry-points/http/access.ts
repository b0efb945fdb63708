import { ForbiddenError, type Principal } from '@triage/shared';
import { z } from 'zod';

export const agentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'an agent id (letters, digits, . _ -)');
export const agentParams = z.object({ agentId: agentIdSchema });
export const ticketParams = z.object({ id: z.uuid('must be a ticket id (UUID)') });

/** Agents act for themselves; admins may act for anyone. */
export function assertActsFor(principal: Principal, agentId: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'agent' && principal.subject === agentId) return;
  throw new ForbiddenError(`This key may not act for agent ${agentId}.`);
}

/** Who is acting: an agent (bound to the tickets they hold) or an admin (not bound). */
export function actorOf(principal: Principal): { agentId?: string; label: string } {
  if (principal.role === 'agent' && principal.subject)
    return { agentId: principal.subject, label: `agent:${principal.subject}` };
  return { label: `${principal.role}:${principal.keyHint}` };
}
