import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ComplaintRecord } from '@triage/shared/complaint';
import type { Job } from 'bullmq';
import type { RateMonitorJob } from '../../../services/router/src/data-access/rate-monitor-queue';
import type { RunningRouter } from '../../../services/router/src/service';
import {
  countComplaints,
  hourBucket,
  type RateBucket,
} from '../../../services/router/src/domain/complaint-rates';
import type { RateMonitorResult } from '../../../services/router/src/domain/monitor-complaint-rates';
import { buildTriagedComplaint } from '../../../services/router/test/builders/ticket-builders';

const WEEK = 7 * 86_400_000;

/** A credit-card double charge, in Chinese, from the generic CRM, for the cn-service queue. */
export function chineseCardComplaint(receivedAt: Date): ComplaintRecord {
  const base = buildTriagedComplaint({ queue: 'cn-service', skills: ['zh'], receivedAt });
  return {
    ...base,
    source: 'generic-crm',
    product: 'credit-card',
    channel: 'web',
    subject: '信用卡重复扣款',
    body: '我的信用卡在同一天被同一笔订单扣了两次款，请尽快退还多扣的金额。',
    decision: { ...base.decision!, category: 'billing' },
  };
}

/** The same double charge in English, through the API, for the billing queue. */
export function englishCardComplaint(receivedAt: Date): ComplaintRecord {
  const base = buildTriagedComplaint({ queue: 'billing', receivedAt });
  return {
    ...base,
    source: 'api',
    product: 'credit-card',
    subject: 'Charged twice on my credit card',
    body: 'My credit card was charged twice for the same order on the same day. Please refund the duplicate.',
    decision: { ...base.decision!, category: 'billing' },
  };
}

/**
 * Four weeks of history for the hour `hour`: each earlier week at the same weekday and hour had
 * one Chinese and one or two English credit-card complaints (2, 3, 2, 3), stored as counted
 * buckets — what the monitor itself would have written then.
 */
export async function seedRateHistory(router: RunningRouter, hour: RateBucket): Promise<void> {
  const englishPerWeek = [1, 2, 1, 2];
  for (const [i, english] of englishPerWeek.entries()) {
    const week = hourBucket(new Date(hour.start.getTime() - (i + 1) * WEEK));
    const complaints = [
      chineseCardComplaint(week.start),
      ...Array.from({ length: english }, () => englishCardComplaint(week.start)),
    ];
    const counts = countComplaints(
      week,
      complaints.map((c) => ({
        product: c.product,
        category: c.decision?.category,
        queue: c.decision?.queue,
        source: c.source,
      })),
    );
    await router.rateMonitor.rates.saveCounts(counts, new Date());
  }
}

/**
 * Stores `chinese` + `english` triaged complaints received inside the current hour (between its
 * start and now) and lets the router route them (real routing: queues, SLA clocks, timers).
 */
export async function routeBurst(
  router: RunningRouter,
  now: Date,
  counts: { chinese: number; english: number },
): Promise<string[]> {
  const hour = hourBucket(now);
  const within = new Date(hour.start.getTime() + Math.floor((now.getTime() - hour.start.getTime()) / 2));
  const docs = [
    ...Array.from({ length: counts.chinese }, () => chineseCardComplaint(within)),
    ...Array.from({ length: counts.english }, () => englishCardComplaint(within)),
  ];
  await router.tickets.model.insertMany(docs);
  for (const doc of docs) await router.desk.routeTriaged(doc._id, `rates-${randomUUID()}`);
  return docs.map((doc) => doc._id);
}

/** Queues one complaint-rate count for `at` and resolves with its result when the worker finished it. */
export async function runRateCount(
  router: RunningRouter,
  at: Date,
  timeoutMs = 15_000,
): Promise<RateMonitorResult> {
  const finished = new Map<string, { result?: RateMonitorResult; error?: Error }>();
  let wake: () => void = () => undefined;
  const onCompleted = (job: Job<RateMonitorJob>, result: RateMonitorResult) => {
    finished.set(job.id ?? '', { result });
    wake();
  };
  const onFailed = (job: Job<RateMonitorJob> | undefined, error: Error) => {
    // Only the last attempt: the earlier ones are retried.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) finished.set(job.id ?? '', { error });
    wake();
  };
  const { worker } = router.rateMonitor;
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);
  try {
    const job = await router.rateMonitor.queue.countNow(at);
    const id = job.id ?? '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`complaint-rate count ${id} did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      wake = () => {
        if (!finished.has(id)) return;
        clearTimeout(timer);
        resolve();
      };
      wake();
    });
    const outcome = finished.get(id)!;
    if (outcome.error) throw outcome.error;
    return outcome.result!;
  } finally {
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
  }
}

/** A copy of rules/ whose complaint-rates.json is `settings` (a notify URL, lower thresholds). */
export async function rulesWithRateSettings(
  settings: Record<string, unknown>,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'triage-rules-'));
  await cp('rules', dir, { recursive: true });
  const file = path.join(dir, 'complaint-rates.json');
  const shipped = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...shipped, ...settings }, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
