/**
 * Reads the CFPB consumer-complaint CSV (public domain) for corpus tests, benchmarks and the
 * demo loader. The file is never committed: it is read from CFPB_CSV, else from
 * ../shared/data/cfpb-complaints-sample.csv beside the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComplaintInput } from '@triage/shared/complaint';
import { parse } from 'csv-parse/sync';

export type CfpbRecord = Record<string, string>;

export const defaultCfpbPath = path.resolve(
  __dirname,
  '..',
  '..',
  'shared',
  'data',
  'cfpb-complaints-sample.csv',
);

/** The CSV path to use, or undefined when there is none (corpus tests then say they did not run). */
export function cfpbCsvPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const candidate = env.CFPB_CSV ?? defaultCfpbPath;
  return existsSync(candidate) ? candidate : undefined;
}

export function readCfpbRecords(file: string): CfpbRecord[] {
  return parse(readFileSync(file, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
  }) as CfpbRecord[];
}

const channelBySubmittedVia: Record<string, ComplaintInput['channel']> = {
  Web: 'web',
  Phone: 'phone',
  Referral: 'referral',
  'Postal mail': 'letter',
  Fax: 'fax',
  Email: 'email',
};

/** CFPB tags ("Older American, Servicemember") as our kebab-case source tags. */
export function cfpbTags(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((tag) => tag.trim().toLowerCase().replace(/\s+/g, '-'))
    .filter(Boolean);
}

/** One CFPB record as the complaint a CRM would send (same meaning as rules/sources/cfpb.json). */
export function cfpbToComplaint(record: CfpbRecord): ComplaintInput {
  const narrative = record['Consumer complaint narrative']?.trim();
  const issue = [record.Issue, record['Sub-issue']].filter(Boolean).join(': ');
  const received = record['Date received'];
  return {
    externalId: record['Complaint ID'] ?? '',
    source: 'cfpb',
    // CFPB publishes no consumer id; one consumer per complaint avoids inventing repeat complainants.
    customer: { id: `cfpb-consumer-${record['Complaint ID'] ?? 'unknown'}`, tier: 'standard' },
    channel: channelBySubmittedVia[record['Submitted via'] ?? ''] ?? 'other',
    subject: record.Issue || undefined,
    body: narrative || issue || '(no narrative)',
    product: record.Product || undefined,
    language: 'en',
    ...(received ? { occurredAt: new Date(`${received}T12:00:00Z`).toISOString() } : {}),
    metadata: {
      tags: cfpbTags(record.Tags),
      company: record.Company,
      subProduct: record['Sub-product'],
      subIssue: record['Sub-issue'],
      state: record.State,
    },
  };
}
