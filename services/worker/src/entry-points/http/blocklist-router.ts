import {
  actorLabel,
  parseOrThrow,
  NotFoundError,
  type ApiKeyTable,
  type Principal,
} from '@triage/shared/kernel';
import { principalOf, requireRole } from '@triage/shared/http';
import { Router } from 'express';
import { z } from 'zod';
import {
  blockCustomer,
  blocklistLimits,
  isInForce,
  unblockCustomer,
  type BlocklistEntry,
} from '../../domain/blocklist';
import type { BlocklistStore, ComplaintEventLog, RuleListingStore } from '../../domain/ports';
import { confirmListing } from '../../domain/confirm-listing';

export const customerParams = z.object({ customerId: z.string().trim().min(1).max(200) });

export const blockSchema = z
  .object({
    until: z.iso.datetime({
      offset: true,
      error: 'an ISO 8601 date-time with offset, e.g. 2026-06-30T00:00:00Z',
    }),
    reason: z
      .string()
      .trim()
      .min(1, 'say why (it is kept in the history)')
      .max(blocklistLimits.maxReasonLength),
  })
  .strict();

export const confirmSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, 'say why the listing stands (it is kept in the history)')
      .max(blocklistLimits.maxReasonLength),
  })
  .strict();

const listQuery = z.object({ include: z.enum(['active', 'all']).default('active') });
const unblockQuery = z.object({ reason: z.string().trim().max(blocklistLimits.maxReasonLength).optional() });

/** Who is acting, as recorded in the blocklist history: `role:subject` of the key. */
export function actorOf(principal: Principal): string {
  return actorLabel(principal);
}

function present(entry: BlocklistEntry, now: Date) {
  return { ...entry, active: isInForce(entry, now) };
}

/**
 * The blocklist: supervisors and admins read it, admins change it; every change records who
 * made it and why.
 */
export function blocklistRouter(deps: {
  apiKeys: ApiKeyTable;
  blocklist: BlocklistStore;
  listings: RuleListingStore;
  complaintEvents: ComplaintEventLog;
}): Router {
  const router = Router();
  const admin = requireRole(deps.apiKeys, 'admin');
  const readers = requireRole(deps.apiKeys, 'supervisor', 'admin');

  router.get('/v1/blocklist', readers, async (req, res) => {
    const { include } = parseOrThrow(listQuery, req.query, 'query');
    const now = new Date();
    const entries = await deps.blocklist.list({ at: now, includeInactive: include === 'all' });
    res.json({ count: entries.length, entries: entries.map((entry) => present(entry, now)) });
  });

  router.get('/v1/blocklist/:customerId', readers, async (req, res) => {
    const { customerId } = parseOrThrow(customerParams, req.params, 'path');
    const entry = await deps.blocklist.find(customerId);
    if (!entry) throw new NotFoundError(`Customer ${customerId} has never been on the blocklist.`);
    res.json(present(entry, new Date()));
  });

  router.put('/v1/blocklist/:customerId', admin, async (req, res) => {
    const { customerId } = parseOrThrow(customerParams, req.params, 'path');
    const body = parseOrThrow(blockSchema, req.body);
    const now = new Date();
    const { entry, created } = await blockCustomer(
      deps.blocklist,
      { customerId, until: new Date(body.until), reason: body.reason },
      actorOf(principalOf(req)),
      now,
    );
    res.status(created ? 201 : 200).json(present(entry, now));
  });

  // A rule listing's named reviewer (or any admin) confirms it; the use case refuses anyone else.
  router.post('/v1/blocklist/:customerId/confirm', readers, async (req, res) => {
    const { customerId } = parseOrThrow(customerParams, req.params, 'path');
    const body = parseOrThrow(confirmSchema, req.body);
    const principal = principalOf(req);
    const now = new Date();
    const entry = await confirmListing(
      deps.listings,
      deps.complaintEvents,
      { customerId, reason: body.reason },
      { label: actorOf(principal), isAdmin: principal.role === 'admin' },
      now,
    );
    res.json(present(entry, now));
  });

  router.delete('/v1/blocklist/:customerId', admin, async (req, res) => {
    const { customerId } = parseOrThrow(customerParams, req.params, 'path');
    const { reason } = parseOrThrow(unblockQuery, req.query, 'query');
    const now = new Date();
    const entry = await unblockCustomer(deps.blocklist, customerId, actorOf(principalOf(req)), now, reason);
    res.json(present(entry, now));
  });

  return router;
}
