import { z } from 'zod';
import { sourceNameSchema } from '../kernel';

/**
 * A source mapping (rules/sources/<source>.json) says how one CRM's webhook payload becomes a
 * complaint: for each complaint field, where its value is in the payload and how to convert it.
 * The JSON Schema in rules/schema/source-mapping.schema.json is generated from this file
 * (tools/generate-source-schema.ts), so editors and the service check the same thing.
 */

const payloadPath = z
  .string()
  .min(1)
  .max(300)
  .meta({
    description:
      'Where the value is in the payload: property names separated by dots ("customer.email"), ' +
      'array positions as numbers ("contacts.0.phone"). CSV-style names with spaces work as they are ("Complaint ID").',
  });

const pathOrFallbacks = z.union([payloadPath, z.array(payloadPath).min(1).max(20)]).meta({
  description:
    'One path, or a list of paths tried in order: the first one holding a value wins. ' +
    'Absent, null and blank values count as no value.',
});

const template = z
  .string()
  .min(1)
  .max(1000)
  .regex(/\{[^{}]+\}/, 'must contain at least one {path} placeholder')
  .meta({
    description:
      'Text with {path} placeholders, e.g. "{Issue}: {Sub-issue}". When any placeholder has no value the ' +
      'template has no value either (so the next fallback or the default applies).',
  });

const constant = z.unknown().meta({ description: 'A fixed value, whatever the payload says.' });

const originKeys = ['path', 'template', 'const'] as const;

/** One place a value can come from: a path (or fallback paths), a template or a constant. */
export const valueOriginSchema = z
  .object({
    path: pathOrFallbacks.optional(),
    template: template.optional(),
    const: constant.optional(),
  })
  .strict()
  .superRefine((origin, ctx) => {
    const given = originKeys.filter((key) => origin[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of path, template, const (got ${given.length === 0 ? 'none' : given.join(', ')})`,
      });
    }
  })
  .meta({ id: 'sourceValueOrigin', description: 'Exactly one of path, template or const.' });

export const dateFormats = ['iso', 'date-only', 'unix-seconds', 'unix-ms'] as const;
export const textCases = ['lower', 'upper', 'kebab'] as const;

/** How one complaint field is filled. Conversions apply in this order: as, split, case, map, date. */
export const fieldMappingSchema = z
  .object({
    description: z.string().max(500).optional().meta({ description: 'A note for whoever edits this file.' }),
    path: pathOrFallbacks.optional(),
    template: template.optional(),
    const: constant.optional(),
    firstOf: z.array(valueOriginSchema).min(1).max(20).optional().meta({
      description: 'Places tried in order (each a path, template or const); the first with a value wins.',
    }),
    as: z.enum(['string']).optional().meta({
      description: '"string": numbers and booleans become text (ids that some CRMs send as numbers).',
    }),
    split: z.string().min(1).max(10).optional().meta({
      description:
        'Splits text into a list on this separator ("," for "Older American, Servicemember"); items are trimmed and blanks dropped. A list in the payload is kept as a list.',
    }),
    case: z.enum(textCases).optional().meta({
      description:
        'lower, upper, or kebab ("Older American" → "older-american"); applied to each item of a list.',
    }),
    map: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'Translates values (after `case`), e.g. { "Postal mail": "letter" }. A value the map does not list takes `default`; without a default it is an error naming this field and its path.',
    }),
    default: z.unknown().optional().meta({
      description: 'The value when the payload has none (or, with `map`, when the map does not list it).',
    }),
    date: z.enum(dateFormats).optional().meta({
      description:
        'Converts to an ISO 8601 UTC time: iso (any ISO 8601 time with offset), date-only (YYYY-MM-DD, taken as 12:00 UTC), unix-seconds, unix-ms.',
    }),
  })
  .strict()
  .superRefine((field, ctx) => {
    const given = [...originKeys, 'firstOf' as const].filter((key) => field[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of path, template, const, firstOf (got ${given.length === 0 ? 'none' : given.join(', ')})`,
      });
    }
  })
  .meta({
    id: 'sourceFieldMapping',
    description:
      'How one complaint field is filled: exactly one of path, template, const, firstOf, then optional conversions (as, split, case, map, date) and a default.',
  });

const field = (description: string) => fieldMappingSchema.meta({ description });
const optionalField = (description: string) => fieldMappingSchema.optional().meta({ description });

/** The complaint fields a mapping fills; keys name the complaint field ("customer.id"). */
export const mappedFieldsSchema = z
  .object({
    externalId: field(
      "The CRM's own id of the complaint. Required: it is how a retried or duplicate delivery is recognised.",
    ),
    'customer.id': field("The customer's id in the CRM (required)."),
    'customer.name': optionalField("The customer's name."),
    'customer.email': optionalField("The customer's e-mail address."),
    'customer.phone': optionalField("The customer's phone number."),
    'customer.tier': optionalField('standard | silver | gold | platinum | vip.'),
    channel: field(
      'phone | email | web | chat | sms | social | letter | fax | referral | other (required; map the CRM names).',
    ),
    subject: optionalField('The subject line.'),
    body: field('The complaint text (required).'),
    product: optionalField('The product concerned.'),
    language: optionalField('BCP 47 tag, e.g. en, zh-CN.'),
    occurredAt: optionalField('When it happened (use `date` to convert).'),
  })
  .strict();

/** What a CRM is told about its complaints (the loop back to the CRM). */
export const crmEventKinds = ['triaged', 'assigned', 'note', 'resolved', 'reopened'] as const;
export type CrmEventKind = (typeof crmEventKinds)[number];

export const outboundHookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).meta({
      description:
        'Receives a signed POST (X-Triage-Signature, like the notify webhooks) for each status change of this source’s complaints; retried with backoff, dead-lettered when it keeps failing.',
    }),
    events: z.array(z.enum(crmEventKinds)).min(1).optional().meta({
      description:
        'Which changes to send: triaged (category, severity, deadlines), assigned, note (customer-visible notes), resolved (code, summary), reopened. All when absent.',
    }),
  })
  .strict();
export type OutboundHook = z.output<typeof outboundHookSchema>;

export const sourceMappingSchema = z
  .object({
    $schema: z.string().optional(),
    source: sourceNameSchema.meta({
      description:
        'The source name: the file name without .json and the :source of POST /v1/webhooks/:source.',
    }),
    description: z.string().max(2000).optional(),
    fields: mappedFieldsSchema,
    metadata: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _'),
        fieldMappingSchema,
      )
      .optional()
      .meta({
        description:
          'Extra values kept under the complaint\'s metadata. Rules see them through the metadata fact; "tags" (a list) is the sourceTags fact.',
      }),
    outbound: outboundHookSchema.optional().meta({
      description:
        'The loop back to the CRM: where the router posts this source’s complaints’ status changes.',
    }),
  })
  .strict()
  .meta({
    title: 'triage source mapping',
    description:
      'How one CRM webhook payload becomes a complaint (rules/sources/<source>.json). Fields of the payload that the mapping does not name are ignored.',
  });

export type ValueOrigin = z.output<typeof valueOriginSchema>;
export type FieldMapping = z.output<typeof fieldMappingSchema>;
export type SourceMapping = z.output<typeof sourceMappingSchema>;

/** The JSON Schema editors use for rules/sources/*.json (committed as rules/schema/source-mapping.schema.json). */
export function sourceMappingJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(sourceMappingSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
}
