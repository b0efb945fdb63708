import { sourceNameSchema } from './source-name';

/**
 * The roles: a CRM submits and reads its own source's complaints; an agent works the queues
 * their skills allow; a QA reviewer (`qa`) reads and scores the closed tickets drawn for review
 * and nothing else; a supervisor sees everything, assigns work and settles disputes; an admin
 * also edits rules, agents and the blocklist. README has the role × route matrix.
 */
export const roles = ['crm', 'agent', 'qa', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who made a request: the role of their key and the subject it names. */
export interface Principal {
  role: Role;
  /** An agent's id, a supervisor's or admin's name, a CRM's source. */
  subject: string;
}

export type ApiKeyTable = ReadonlyMap<string, Principal>;

/** How events, blocklist entries and reports name a caller: `role:subject`, never part of a key. */
export function actorLabel(principal: Principal): string {
  return `${principal.role}:${principal.subject}`;
}

/** Roles that see every complaint and ticket (not bound to a source or to queues). */
export function seesEverything(principal: Principal): boolean {
  return principal.role === 'admin' || principal.role === 'supervisor';
}

const subjectHelp: Record<Role, string> = {
  crm: 'a crm key without its source (key:crm:<source>)',
  agent: 'an agent key without an agent id (key:agent:<agentId>)',
  qa: "a qa key without the reviewer's name (key:qa:<name>)",
  supervisor: "a supervisor key without the supervisor's name (key:supervisor:<name>)",
  admin: "an admin key without the admin's name (key:admin:<name>)",
};

/**
 * Parses `API_KEYS`: comma-separated `key:role:subject`. The subject names who holds the key
 * and is required: an agent's id, a supervisor's or admin's name, a CRM's source (which
 * scopes what the key may submit and read).
 */
export function parseApiKeys(raw: string): ApiKeyTable {
  const table = new Map<string, Principal>();
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [key, role, subject, ...rest] = entry.split(':');
    if (!key || !role || rest.length > 0) {
      throw new Error(`API_KEYS entry "${mask(entry)}" is not key:role:subject`);
    }
    if (!(roles as readonly string[]).includes(role)) {
      throw new Error(`API_KEYS entry "${mask(entry)}" has unknown role "${role}" (use ${roles.join(', ')})`);
    }
    if (!subject) throw new Error(`API_KEYS entry "${mask(entry)}" is ${subjectHelp[role as Role]}`);
    if (role === 'crm' && !sourceNameSchema.safeParse(subject).success) {
      throw new Error(
        `API_KEYS entry "${mask(entry)}": a crm key's subject is its source (lower-case letters, digits, - and _)`,
      );
    }
    if (table.has(key)) throw new Error(`API_KEYS lists the key "${mask(entry)}" twice`);
    table.set(key, { role: role as Role, subject });
  }
  return table;
}

function mask(entry: string): string {
  const [key = '', ...rest] = entry.split(':');
  return [`…${key.slice(-4)}`, ...rest].join(':');
}
