import { createLogger, type Logger } from '@triage/shared/kernel';
import type { ComplaintInput, ComplaintRecord } from '@triage/shared/complaint';
import { defaultJobOptions, jobIds, pipelineJobQueues, type TriageJob } from '@triage/shared/jobs';
import {
  customerHistories,
  recordInHistory,
  complaintModel,
  connectMongo,
  type ComplaintModel,
} from '@triage/shared/infra';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { buildComplaintRecord } from '../../../services/intake/src/domain/submit-complaint';
import { loadWorkerConfig } from '../../../services/worker/src/config';
import { startWorker, type RunningWorker } from '../../../services/worker/src/service';
import { testKeys } from '../../support/test-stack';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/test-infra';

/**
 * The worker alone, on port 0, with a database and queue prefix of its own, plus what a
 * test needs around it: a MongoDB connection to store complaints as intake would, and a
 * producer to enqueue triage jobs. Rules are not watched unless the test asks.
 */
export interface WorkerHarness {
  worker: RunningWorker;
  env: Record<string, string>;
  complaints: ComplaintModel;
  /** Stores complaints as intake does (same record builder), status "received". */
  insert(inputs: readonly ComplaintInput[], receivedAt?: Date): Promise<string[]>;
  /** Enqueues triage jobs for the ids and resolves when every one has completed (rejects on a final failure). */
  triage(ids: readonly string[], options?: { timeoutMs?: number; duplicates?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerHarness(
  label: string,
  overrides: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<WorkerHarness> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: testMongoUrl(label),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    API_KEYS: `${testKeys.admin}:admin:test-admin,${testKeys.crm}:crm:test-crm`,
    WORKER_PORT: '0',
    RULES_DIR: 'rules',
    RULES_WATCH: 'false',
    ...overrides,
  };
  const config = loadWorkerConfig(env);
  const worker = await startWorker(config, options.logger);
  const connection: Connection = await connectMongo(env.MONGO_URL ?? '', createLogger('test', 'silent'));
  const complaints = complaintModel(connection);
  const producer = new Redis(env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  const queue = new Queue<TriageJob>(pipelineJobQueues.triage, {
    connection: producer,
    prefix: env.QUEUE_PREFIX,
    defaultJobOptions,
  });

  return {
    worker,
    env,
    complaints,
    async insert(inputs, receivedAt = new Date()) {
      const records: ComplaintRecord[] = inputs.map((input) =>
        buildComplaintRecord(input, { source: input.source ?? 'api', actor: 'test', now: receivedAt }),
      );
      await complaints.collection.insertMany(records as never[]);
      // As intake does: each stored complaint goes into its customer's history (ADR 0007).
      await customerHistories(connection).bulkWrite(
        records.map((record) => ({
          updateOne: {
            filter: { _id: record.customer.id },
            update: recordInHistory({ id: record._id, at: record.receivedAt }),
            upsert: true,
          },
        })),
      );
      return records.map((record) => record._id);
    },
    async triage(ids, options = {}) {
      const pending = new Set(ids);
      const finished = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${pending.size} of ${ids.length} triage jobs did not complete in time`)),
          options.timeoutMs ?? 20_000,
        );
        const done = () => {
          clearTimeout(timer);
          worker.worker.off('completed', onCompleted);
          worker.worker.off('failed', onFailed);
        };
        const onCompleted = (job: Job<TriageJob>) => {
          pending.delete(job.data.complaintId);
          if (pending.size === 0) {
            done();
            resolve();
          }
        };
        const onFailed = (job: Job<TriageJob> | undefined, error: Error) => {
          if (!job || !pending.has(job.data.complaintId)) return;
          if (job.attemptsMade < (job.opts.attempts ?? 1)) return; // BullMQ will retry it
          done();
          reject(new Error(`triage of ${job.data.complaintId} failed: ${error.message}`));
        };
        worker.worker.on('completed', onCompleted);
        worker.worker.on('failed', onFailed);
        if (pending.size === 0) {
          done();
          resolve();
        }
      });
      const jobs = ids.map((complaintId) => ({
        name: 'triage',
        data: { complaintId },
        opts: { jobId: jobIds.triage(complaintId) },
      }));
      await queue.addBulk(options.duplicates ? [...jobs, ...jobs] : jobs);
      await finished;
    },
    async stop() {
      await queue.close();
      producer.disconnect();
      await connection.close();
      await worker.stop();
    },
  };
}
