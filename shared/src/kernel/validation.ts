import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors';

/** Converts zod issues to field errors with JSON-pointer-like paths (`/customer/id`). */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    // An unknown field is reported at its own path, one entry per field.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: '/' + [...base, key].join('/'),
        message: 'unknown field (not part of the schema)',
      }));
    }
    return [{ path: '/' + base.join('/'), message: issue.message }];
  });
}

/** Parses `input` with `schema`, throwing a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = toFieldErrors(result.error);
  throw new ValidationError(
    `The ${what} has ${fieldErrors.length} invalid field(s): ${fieldErrors.map((f) => f.path).join(', ')}`,
    fieldErrors,
  );
}
