import {
  defaultQaFactValues,
  rulesetFileNames,
  type QaFactValues,
  type QaTicket,
  type RuleError,
} from '@triage/rules';
import {
  ConflictError,
  NotFoundError,
  parseOrThrow,
  ValidationError,
  type ApiKeyTable,
} from '@triage/shared/kernel';
import { complaintInputSchema } from '@triage/shared/complaint';
import { requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import { simulatedHistorySchema } from '../../domain/fact-sources';
import { qaFactsOfRecord } from '../../domain/qa-facts-of-record';
import { qaHandlingSchema } from '../../domain/qa-fixtures';
import { qaReplayTicketOf } from '../../domain/replay-qa';
import { replayLimits } from '../../domain/replay-rules';
import type { ReplayStore, RuleToolOutcome, RuleToolRunner } from '../../domain/ports';
import type { RulesetHolder } from '../../domain/ruleset-holder';

const knownFiles = rulesetFileNames as readonly string[];

/** Candidate rule files by name (as in rules/): the parsed JSON object, or the file's text. */
const candidateFilesSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.record(z.string(), z.unknown())], {
      error: 'a rule file: its JSON object, or its text as a string',
    }),
  )
  .superRefine((files, ctx) => {
    for (const name of Object.keys(files)) {
      if (!knownFiles.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `unknown rule file (expected one of ${knownFiles.join(', ')})`,
        });
      }
    }
  });

export const validateSchema = z.object({ files: candidateFilesSchema }).strict();

export const dryRunSchema = z
  .object({
    complaint: complaintInputSchema,
    files: candidateFilesSchema.optional(),
    /** A customer history to pretend (repeat complaints, blocklist); none by default. */
    history: simulatedHistorySchema.optional(),
    /** When the complaint arrives (and "now" for the evaluation); the current time by default. */
    receivedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const replaySchema = z
  .object({
    files: candidateFilesSchema.optional(),
    limit: z.number().int().min(1).max(replayLimits.maxLimit).default(replayLimits.defaultLimit),
    examples: z.number().int().min(0).max(replayLimits.maxExamples).default(replayLimits.defaultExamples),
  })
  .strict();

export const qaDryRunSchema = z
  .object({
    /** A stored ticket to score (closed, or at least routed). */
    complaintId: z.string().min(1).max(200).optional(),
    /** Handling facts to pretend: over the stored ticket's, or over a ticket handled by the book. */
    handling: qaHandlingSchema.optional(),
    /** A customer history to pretend (repeatCount); a stored ticket's own otherwise. */
    history: simulatedHistorySchema.optional(),
    files: candidateFilesSchema.optional(),
  })
  .strict()
  .refine((body) => body.complaintId !== undefined || body.handling !== undefined, {
    message: 'name a stored ticket (complaintId) or pretend one (handling)',
    path: ['complaintId'],
  });

export const qaReplaySchema = z
  .object({
    files: candidateFilesSchema.optional(),
    limit: z.number().int().min(1).max(replayLimits.maxLimit).default(replayLimits.defaultLimit),
    examples: z.number().int().min(0).max(replayLimits.maxExamples).default(replayLimits.defaultExamples),
  })
  .strict();

/** A rule error as a field error of the request: `/files/severity.json/rules/3/…`. */
function asFieldError(error: RuleError): { path: string; message: string } {
  return { path: `/files/${error.file}${error.path === '/' ? '' : error.path}`, message: error.message };
}

export interface RulesRouterDeps {
  apiKeys: ApiKeyTable;
  rules: RulesetHolder;
  replayStore: ReplayStore;
  /** Runs validate, dry-run and replay off the event loop, within a time budget (422 over it, 503 when busy). */
  ruleTools: RuleToolRunner;
  /** Whether rules/ is watched for changes (shown by GET /v1/rules). */
  watching: boolean;
}

/** The admin's rule tools: status, validate, dry-run and replay. Nothing here changes the live rules. */
export function rulesRouter(deps: RulesRouterDeps): Router {
  const router = Router();
  const admin = requireRole(deps.apiKeys, 'admin');

  /** The tool's report, or 400 with the candidate's rule errors as field errors. */
  const reportOf = <Report>(outcome: RuleToolOutcome<Report>): Report => {
    if (outcome.ok) return outcome.report;
    throw new ValidationError(
      `The candidate rules have ${outcome.errors.length} error(s); nothing was evaluated.`,
      outcome.errors.map(asFieldError),
      { extra: { ruleErrors: outcome.errors } },
    );
  };

  router.get('/v1/rules', admin, (_req, res) => {
    res.json({ ...deps.rules.status(), watching: deps.watching });
  });

  router.post('/v1/rules/validate', admin, async (req, res) => {
    const { files } = parseOrThrow(validateSchema, req.body);
    const outcome = await deps.ruleTools.validate({ liveFiles: deps.rules.files(), overlay: files });
    res.json(
      outcome.ok
        ? { ok: true, errors: [], ...outcome.report }
        : { ok: false, errors: outcome.errors, version: null },
    );
  });

  router.post('/v1/rules/dry-run', admin, async (req, res) => {
    const body = parseOrThrow(dryRunSchema, req.body);
    const outcome = await deps.ruleTools.dryRun({
      liveFiles: deps.rules.files(),
      complaint: body.complaint,
      ...(body.files === undefined ? {} : { overlay: body.files }),
      ...(body.history === undefined ? {} : { history: body.history }),
      ...(body.receivedAt === undefined ? {} : { receivedAt: body.receivedAt }),
    });
    res.json(reportOf(outcome));
  });

  router.post('/v1/rules/replay', admin, async (req, res) => {
    const body = parseOrThrow(replaySchema, req.body);
    const complaints = await deps.replayStore.latestComplaints(body.limit);
    const outcome = await deps.ruleTools.replay(
      {
        liveFiles: deps.rules.files(),
        complaints,
        examples: body.examples,
        ...(body.files === undefined ? {} : { overlay: body.files }),
      },
      (at) => deps.replayStore.factSourcesAsOf(at),
    );
    res.json({ limit: body.limit, ...reportOf(outcome) });
  });

  router.post('/v1/rules/qa/dry-run', admin, async (req, res) => {
    const body = parseOrThrow(qaDryRunSchema, req.body);
    const handling = (body.handling ?? {}) as Partial<QaFactValues>;
    let ticket: QaTicket;
    let stored: Record<string, unknown> | null = null;
    if (body.complaintId !== undefined) {
      const complaint = await deps.replayStore.load(body.complaintId);
      if (!complaint) throw new NotFoundError(`No complaint with id ${body.complaintId}.`);
      if (!complaint.ticket) throw new ConflictError(`Complaint ${body.complaintId} has no ticket yet.`);
      const fromRecord = qaFactsOfRecord(complaint);
      ticket = { ...fromRecord, facts: { ...fromRecord.facts, ...handling } };
      if (complaint.qa) {
        const { trace: _trace, ...summary } = complaint.qa;
        stored = summary;
      }
    } else {
      ticket = {
        complaintId: 'dry-run',
        customerId: 'dry-run',
        receivedAt: new Date(),
        facts: { ...defaultQaFactValues(), ...handling },
      };
    }
    const outcome = await deps.ruleTools.qaDryRun(
      {
        liveFiles: deps.rules.files(),
        ticket,
        ...(body.files === undefined ? {} : { overlay: body.files }),
        ...(body.history === undefined ? {} : { history: body.history }),
      },
      (at) => deps.replayStore.factSourcesAsOf(at),
    );
    res.json({ ...reportOf(outcome), stored });
  });

  router.post('/v1/rules/qa/replay', admin, async (req, res) => {
    const body = parseOrThrow(qaReplaySchema, req.body);
    const closed = await deps.replayStore.latestClosed(body.limit);
    const outcome = await deps.ruleTools.qaReplay(
      {
        liveFiles: deps.rules.files(),
        tickets: closed.map(qaReplayTicketOf),
        examples: body.examples,
        ...(body.files === undefined ? {} : { overlay: body.files }),
      },
      (at) => deps.replayStore.factSourcesAsOf(at),
    );
    res.json({ limit: body.limit, ...reportOf(outcome) });
  });

  return router;
}
