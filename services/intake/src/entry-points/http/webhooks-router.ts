import {
  NotFoundError,
  sourceNameSchema,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type Logger,
} from '@triage/shared/kernel';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, webhookDeliveryId } from '@triage/shared/http';
import type { SourceMapping } from '@triage/shared/sources';
import express, { Router, type Request, type RequestHandler } from 'express';
import type { WebhookSecrets } from '../../config';
import { acceptWebhookDelivery } from '../../domain/accept-webhook-delivery';
import type { ComplaintStore, DeliveryLog, DeliverySighting, TriageQueue } from '../../domain/ports';
import { idempotencyKeyOf } from './idempotency-key';

const JSON_TYPES = ['application/json', 'application/*+json'];

export interface WebhooksRouterDeps {
  mappings: ReadonlyMap<string, SourceMapping>;
  secrets: WebhookSecrets;
  toleranceSeconds: number;
  bodyLimit: string;
  repository: ComplaintStore;
  triageQueue: TriageQueue;
  /** The replay cache: each signed delivery is remembered while its signature is fresh. */
  deliveries: DeliveryLog;
  /** Counts signed deliveries per source (`req.params.source`); replays are not counted. */
  sourceRateLimit: RequestHandler;
  logger: Logger;
}

interface WebhookTarget {
  source: string;
  mapping: SourceMapping;
  secrets: readonly string[];
  /** Set once the signature is verified. */
  sighting?: DeliverySighting;
}

declare module 'express-serve-static-core' {
  interface Request {
    webhook?: WebhookTarget;
  }
}

/** The source resolved by `knownSource`; only call after it. */
function webhookOf(req: Request): WebhookTarget {
  if (!req.webhook) throw new NotFoundError('No webhook source.');
  return req.webhook;
}

/**
 * POST /v1/webhooks/:source. The checks run in this order, each answering problem+json:
 * unknown source 404, not JSON 415, too large 413, bad signature 401, over the limit 429,
 * unparseable or unmappable payload 400. The signature is checked over the raw bytes, before
 * the body is parsed, so an unsigned caller learns nothing from our JSON parser. A delivery whose
 * signed content was seen before (a replay) skips the rate limit and is answered as the first one.
 */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const router = Router();

  const knownSource: RequestHandler = (req, _res, next) => {
    const source = String(req.params.source);
    const mapping = sourceNameSchema.safeParse(source).success ? deps.mappings.get(source) : undefined;
    const secrets = mapping ? deps.secrets.get(source) : undefined;
    if (!mapping || !secrets?.length) return next(new NotFoundError(`No webhook source "${source}".`));
    req.webhook = { source, mapping, secrets };
    next();
  };

  const jsonOnly: RequestHandler = (req, _res, next) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
    if ((hasBody && !req.is(JSON_TYPES)) || (charset !== undefined && !/^utf-?8$/i.test(charset))) {
      return next(
        new UnsupportedMediaTypeError(
          `Send the payload as application/json (UTF-8); got ${req.headers['content-type'] ?? 'no content type'}.`,
        ),
      );
    }
    next();
  };

  const signed: RequestHandler = async (req, _res, next) => {
    const { secrets } = webhookOf(req);
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    req.rawBody = rawBody;
    const verification = verifyWebhookSignature({
      header: req.header(WEBHOOK_SIGNATURE_HEADER),
      rawBody,
      secrets,
      toleranceSeconds: deps.toleranceSeconds,
    });
    if (!verification.ok) {
      return next(
        new UnauthorizedError(verification.detail, {
          headers: { 'WWW-Authenticate': `Signature header="${WEBHOOK_SIGNATURE_HEADER}"` },
          extra: { reason: verification.reason },
        }),
      );
    }
    const webhook = webhookOf(req);
    // A signature is fresh for at most 2 × tolerance (its t may be ahead of our clock by that much).
    webhook.sighting = await deps.deliveries.sight(
      webhook.source,
      webhookDeliveryId(verification.timestamp, rawBody),
      idempotencyKeyOf(req),
      2 * deps.toleranceSeconds,
    );
    if (webhook.sighting.kind === 'unknown') {
      deps.logger.warn(
        { err: webhook.sighting.error, requestId: req.requestId, source: webhook.source },
        'replay cache unavailable; deliveries without an external id are refused until it is back',
      );
    }
    next();
  };

  /** A replay is answered without spending the source's budget: genuine deliveries keep it. */
  const limitedUnlessReplay: RequestHandler = (req, res, next) => {
    if (webhookOf(req).sighting?.kind === 'replay') return next();
    return deps.sourceRateLimit(req, res, next);
  };

  router.post(
    '/v1/webhooks/:source',
    knownSource,
    jsonOnly,
    express.raw({ type: JSON_TYPES, limit: deps.bodyLimit }),
    signed,
    limitedUnlessReplay,
    async (req, res) => {
      const { source, mapping, sighting = { kind: 'first' } } = webhookOf(req);
      const payload = parseJson(req.rawBody ?? Buffer.alloc(0));
      const idempotencyKey = idempotencyKeyOf(req);
      const outcome = await acceptWebhookDelivery(
        mapping,
        payload,
        { source, requestId: req.requestId, sighting, ...(idempotencyKey ? { idempotencyKey } : {}) },
        deps.repository,
        deps.triageQueue,
        (error, id, stage) =>
          deps.logger.warn(
            { err: error, complaintId: id, requestId: req.requestId, stage, source },
            stage === 'enqueue'
              ? 'triage queue unavailable; complaint left for the sweeper'
              : 'complaint queued but its status could not be advanced',
          ),
      );
      res
        .status(outcome.created ? 202 : 200)
        .location(`/v1/complaints/${outcome.id}`)
        .json({ id: outcome.id, status: outcome.status, duplicate: !outcome.created });
    },
  );

  return router;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new ValidationError('The body is empty; send the CRM payload as JSON.');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
}
