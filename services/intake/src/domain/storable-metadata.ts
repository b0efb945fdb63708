import type { FieldError } from '@triage/shared/kernel';

/** Deep enough for any CRM's custom fields; far below MongoDB's 100-level document limit. */
export const MAX_METADATA_DEPTH = 16;
const MAX_REPORTED = 20;

/**
 * What the complaint schema cannot see in free-form metadata but MongoDB refuses or mishandles:
 * keys with NUL (BSON cannot encode them), keys starting with `$` (operator-like; unqueryable on
 * some servers) and nesting deeper than MAX_METADATA_DEPTH. Walks iteratively, so a hostile
 * nesting depth cannot overflow the stack. Returns one field error per problem (at most 20).
 */
export function metadataProblems(metadata: Record<string, unknown> | undefined): FieldError[] {
  if (metadata === undefined) return [];
  const problems: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [
    { value: metadata, path: '/metadata', depth: 1 },
  ];
  for (let next = pending.pop(); next && problems.length < MAX_REPORTED; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_METADATA_DEPTH) {
      problems.push({ path, message: `nested deeper than ${MAX_METADATA_DEPTH} levels` });
      continue;
    }
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key.includes('\u0000')) problems.push({ path: childPath, message: 'a key may not contain NUL' });
      else if (key.startsWith('$')) problems.push({ path: childPath, message: 'a key may not start with $' });
      else pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return problems;
}
