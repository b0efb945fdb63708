import { complaintInputSchema, type ComplaintInput } from '../complaint';
import type { FieldError } from '../kernel';
import { toFieldErrors } from '../kernel';
import type { FieldMapping, SourceMapping, ValueOrigin } from './source-mapping';

/** A field error of a mapped payload: `path` names the complaint field, `sourcePath` where it came from. */
export interface SourceFieldError extends FieldError {
  sourcePath: string;
}

export type SourceMappingOutcome =
  { ok: true; complaint: ComplaintInput } | { ok: false; errors: SourceFieldError[] };

const NO_VALUE = Symbol('no value');

class ConversionError extends Error {}

/** A payload value in an error message, cut short: payloads are the caller's data, not ours to echo at length. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, null, blank text and empty lists carry no value: the next fallback or the default applies. */
function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === NO_VALUE) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * Reads `a.b.0.c` from the payload. Only own properties are followed, so a payload cannot
 * reach `__proto__` or `constructor` through a mapping path.
 */
export function readPayloadPath(payload: unknown, path: string): unknown {
  let current: unknown = payload;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function renderTemplate(payload: unknown, template: string): unknown {
  let missing = false;
  const text = template.replace(/\{([^{}]+)\}/g, (_match, path: string) => {
    const value = readPayloadPath(payload, path.trim());
    if (!hasValue(value)) {
      missing = true;
      return '';
    }
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ConversionError(`{${path}} holds ${show(value)}, not text or a number`);
  });
  return missing ? NO_VALUE : text;
}

function resolveOrigin(payload: unknown, origin: ValueOrigin): unknown {
  if (origin.const !== undefined) return origin.const;
  if (origin.template !== undefined) return renderTemplate(payload, origin.template);
  const paths = typeof origin.path === 'string' ? [origin.path] : (origin.path ?? []);
  for (const path of paths) {
    const value = readPayloadPath(payload, path);
    if (hasValue(value)) return value;
  }
  return NO_VALUE;
}

function resolveField(payload: unknown, field: FieldMapping): unknown {
  for (const origin of field.firstOf ?? [field]) {
    const value = resolveOrigin(payload, origin);
    if (hasValue(value)) return value;
  }
  return NO_VALUE;
}

/** Where a field's value comes from, for error messages: `Complaint ID`, `a | b`, `"{Issue}: {Sub-issue}"`. */
export function describeOrigin(field: FieldMapping | ValueOrigin): string {
  if ('firstOf' in field && field.firstOf) return field.firstOf.map(describeOrigin).join(' | ');
  if (field.const !== undefined) return 'const';
  if (field.template !== undefined) return `"${field.template}"`;
  return typeof field.path === 'string' ? field.path : (field.path ?? []).join(' | ');
}

function kebab(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, '-');
}

function applyCase(value: unknown, textCase: FieldMapping['case']): unknown {
  if (typeof value !== 'string' || !textCase) return value;
  if (textCase === 'lower') return value.toLowerCase();
  if (textCase === 'upper') return value.toUpperCase();
  return kebab(value);
}

function toIsoTime(value: unknown, format: NonNullable<FieldMapping['date']>): string {
  let time: number;
  if (format === 'unix-seconds' || format === 'unix-ms') {
    const number = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw new ConversionError(`${show(value)} is not a ${format} number`);
    }
    time = format === 'unix-seconds' ? number * 1000 : number;
  } else if (typeof value !== 'string') {
    throw new ConversionError(`${show(value)} is not a date`);
  } else if (format === 'date-only') {
    // Noon UTC keeps the calendar day the same in every time zone from UTC-11 to UTC+11.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ConversionError(`${show(value)} is not YYYY-MM-DD`);
    time = Date.parse(`${value}T12:00:00Z`);
  } else {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      throw new ConversionError(`${show(value)} is not an ISO 8601 time with a time zone`);
    }
    time = Date.parse(value);
  }
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw new ConversionError(`${show(value)} is not a valid time`);
  return date.toISOString();
}

const UNMAPPED = Symbol('unmapped');

function lookUp(map: Record<string, unknown>, value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return UNMAPPED;
  const key = String(value);
  return Object.hasOwn(map, key) ? map[key] : UNMAPPED;
}

/** Applies a field's conversions in the documented order: as, split, case, map, date; then the default. */
function convert(raw: unknown, field: FieldMapping): unknown {
  if (!hasValue(raw)) return field.default === undefined ? NO_VALUE : field.default;
  let value: unknown = typeof raw === 'string' ? raw.trim() : raw;
  if (field.as === 'string') {
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    else if (typeof value !== 'string') throw new ConversionError(`${show(value)} is not text or a number`);
  }
  if (field.split !== undefined) {
    if (typeof value === 'string') {
      value = value
        .split(field.split)
        .map((item) => item.trim())
        .filter(Boolean);
    } else if (!Array.isArray(value)) {
      throw new ConversionError(`${show(value)} is not text or a list`);
    }
    if (!hasValue(value)) return field.default === undefined ? NO_VALUE : field.default;
  }
  if (field.case) {
    value = Array.isArray(value)
      ? value.map((item) => applyCase(item, field.case))
      : applyCase(value, field.case);
  }
  if (field.map) {
    const map = field.map;
    const mapped = Array.isArray(value) ? value.map((item) => lookUp(map, item)) : lookUp(map, value);
    const unmapped = Array.isArray(mapped) ? mapped.includes(UNMAPPED) : mapped === UNMAPPED;
    if (unmapped) {
      if (field.default !== undefined) return field.default;
      throw new ConversionError(`${show(value)} is not listed in the mapping's map`);
    }
    value = mapped;
  }
  if (field.date) {
    const format = field.date;
    value = Array.isArray(value) ? value.map((item) => toIsoTime(item, format)) : toIsoTime(value, format);
  }
  return value;
}

function setTarget(target: Record<string, unknown>, fieldPath: string, value: unknown): void {
  const [head, ...rest] = fieldPath.split('.');
  if (!head) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = isPlainObject(target[head]) ? target[head] : {};
  target[head] = child;
  setTarget(child, rest.join('.'), value);
}

const pointer = (fieldPath: string) => '/' + fieldPath.split('.').join('/');

/**
 * Turns a CRM payload into a complaint with a source mapping, then validates it with the
 * complaint schema. Every problem is reported at once, each naming the complaint field (`path`)
 * and the payload path it was mapped from (`sourcePath`). Payload fields the mapping does not
 * name are ignored.
 */
export function mapSourcePayload(mapping: SourceMapping, payload: unknown): SourceMappingOutcome {
  if (!isPlainObject(payload)) {
    return {
      ok: false,
      errors: [{ path: '/', message: 'the payload must be a JSON object', sourcePath: '(body)' }],
    };
  }
  const targets: Array<[string, FieldMapping]> = [
    ...(Object.entries(mapping.fields) as Array<[string, FieldMapping | undefined]>).filter(
      (entry): entry is [string, FieldMapping] => entry[1] !== undefined,
    ),
    ...Object.entries(mapping.metadata ?? {}).map(([key, field]): [string, FieldMapping] => [
      `metadata.${key}`,
      field,
    ]),
  ];
  const complaint: Record<string, unknown> = { customer: {} };
  const errors: SourceFieldError[] = [];
  const empty = new Set<string>();
  for (const [fieldPath, field] of targets) {
    try {
      const value = convert(resolveField(payload, field), field);
      if (value === NO_VALUE) empty.add(fieldPath);
      else setTarget(complaint, fieldPath, value);
    } catch (error) {
      if (!(error instanceof ConversionError)) throw error;
      errors.push({ path: pointer(fieldPath), message: error.message, sourcePath: describeOrigin(field) });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const parsed = complaintInputSchema.safeParse(complaint);
  if (parsed.success) return { ok: true, complaint: parsed.data };
  const byPointer = new Map(targets.map(([fieldPath, field]) => [pointer(fieldPath), { fieldPath, field }]));
  return {
    ok: false,
    errors: toFieldErrors(parsed.error).map((error) => {
      const target = [...byPointer.entries()].find(
        ([key]) => error.path === key || error.path.startsWith(`${key}/`),
      )?.[1];
      if (!target) return { ...error, sourcePath: '(not mapped)' };
      const message = empty.has(target.fieldPath) ? 'no value in the payload (required)' : error.message;
      return { ...error, message, sourcePath: describeOrigin(target.field) };
    }),
  };
}
