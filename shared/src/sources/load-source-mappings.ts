import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { complaintInputSchema, customerSchema } from '../complaint';
import { sourceMappingSchema, type FieldMapping, type SourceMapping } from './source-mapping';

/** One problem with a mapping file: which file, where in it, and what. */
export interface SourceMappingLoadError {
  file: string;
  path: string;
  message: string;
}

export interface LoadedSourceMappings {
  /** By source name (= file name without .json). */
  mappings: Map<string, SourceMapping>;
  errors: SourceMappingLoadError[];
}

export function formatSourceMappingError(error: SourceMappingLoadError): string {
  return `${error.file}${error.path ? ` at ${error.path}` : ''}: ${error.message}`;
}

/** The complaint schema of a mapped field (customer.tier → the tier enum), to check constants at load. */
function targetSchema(fieldPath: string): z.ZodType | undefined {
  const [head, child] = fieldPath.split('.');
  if (head === 'customer' && child) return customerSchema.shape[child as keyof typeof customerSchema.shape];
  return complaintInputSchema.shape[head as keyof typeof complaintInputSchema.shape];
}

/**
 * What the JSON Schema cannot see: constants, defaults and map values must be valid for the
 * complaint field they fill (a channel map cannot produce "pigeon"), and only metadata takes lists.
 */
export function checkMappingValues(mapping: SourceMapping): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const [fieldPath, field] of Object.entries(mapping.fields) as Array<
    [string, FieldMapping | undefined]
  >) {
    if (!field) continue;
    const schema = targetSchema(fieldPath);
    if (!schema) continue;
    const at = `/fields/${fieldPath}`;
    if (field.split !== undefined) {
      problems.push({ path: `${at}/split`, message: 'makes a list; only metadata values may be lists' });
    }
    const check = (value: unknown, where: string) => {
      const result = schema.safeParse(value);
      if (!result.success) {
        problems.push({
          path: where,
          message: `${JSON.stringify(value)} is not a valid ${fieldPath}: ${result.error.issues[0]?.message ?? 'invalid'}`,
        });
      }
    };
    // Defaults are used as they are; constants only when no conversion changes them.
    const converted = Boolean(field.map ?? field.date ?? field.case);
    if (field.default !== undefined) check(field.default, `${at}/default`);
    if (field.const !== undefined && !converted) check(field.const, `${at}/const`);
    for (const [index, origin] of (field.firstOf ?? []).entries()) {
      if (origin.const !== undefined && !converted) check(origin.const, `${at}/firstOf/${index}/const`);
    }
    if (field.map && !field.date) {
      for (const [key, value] of Object.entries(field.map)) check(value, `${at}/map/${key}`);
    }
  }
  return problems;
}

/** Validates one parsed mapping file; `source` must equal the file name. */
export function validateSourceMapping(
  file: string,
  content: unknown,
): { mapping?: SourceMapping; errors: SourceMappingLoadError[] } {
  const parsed = sourceMappingSchema.safeParse(content);
  if (!parsed.success) {
    return {
      errors: parsed.error.issues.map((issue) => ({
        file,
        path: '/' + issue.path.map(String).join('/'),
        message: issue.message,
      })),
    };
  }
  const expected = path.basename(file, '.json');
  const errors: SourceMappingLoadError[] = checkMappingValues(parsed.data).map((problem) => ({
    file,
    ...problem,
  }));
  if (parsed.data.source !== expected) {
    errors.push({
      file,
      path: '/source',
      message: `is "${parsed.data.source}" but the file is named ${expected}.json`,
    });
  }
  return errors.length > 0 ? { errors } : { mapping: parsed.data, errors };
}

/**
 * Loads every `*.json` in `dir` (rules/sources). A missing directory means no webhook sources.
 * Broken files are reported in `errors`, every problem of every file, and left out of `mappings`.
 */
export async function loadSourceMappings(dir: string): Promise<LoadedSourceMappings> {
  const mappings = new Map<string, SourceMapping>();
  const errors: SourceMappingLoadError[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { mappings, errors };
    throw error;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let content: unknown;
    try {
      content = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      errors.push({ file, path: '', message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const result = validateSourceMapping(file, content);
    if (result.mapping) mappings.set(result.mapping.source, result.mapping);
    errors.push(...result.errors);
  }
  return { mappings, errors };
}
