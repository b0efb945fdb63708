export const roles = ['crm', 'agent', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who made a request: the role of their key and, for agent keys, the agent id. */
export interface Principal {
  role: Role;
  subject?: string;
  /** A short, non-secret label for logs: the key's last four characters. */
  keyHint: string;
}

export type ApiKeyTable = ReadonlyMap<string, Principal>;

/**
 * Parses `API_KEYS`: comma-separated `key:role[:subject]`. An agent key's subject is
 * its agent id and is required.
 */
export function parseApiKeys(raw: string): ApiKeyTable {
  const table = new Map<string, Principal>();
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [key, role, subject, ...rest] = entry.split(':');
    if (!key || !role || rest.length > 0) {
      throw new Error(`API_KEYS entry "${mask(entry)}" is not key:role[:subject]`);
    }
    if (!(roles as readonly string[]).includes(role)) {
      throw new Error(`API_KEYS entry "${mask(entry)}" has unknown role "${role}" (use ${roles.join(', ')})`);
    }
    if (role === 'agent' && !subject) {
      throw new Error(
        `API_KEYS entry "${mask(entry)}" is an agent key without an agent id (key:agent:<agentId>)`,
      );
    }
    if (table.has(key)) throw new Error(`API_KEYS lists the key "${mask(entry)}" twice`);
    table.set(key, { role: role as Role, ...(subject ? { subject } : {}), keyHint: key.slice(-4) });
  }
  return table;
}

function mask(entry: string): string {
  const [key = '', ...rest] = entry.split(':');
  return [`…${key.slice(-4)}`, ...rest].join(':');
}
