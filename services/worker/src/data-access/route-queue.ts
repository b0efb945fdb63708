import { defaultJobOptions, jobIds, pipelineJobQueues, type RouteJob } from '@triage/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RouteQueue } from '../domain/ports';

export class BullRouteQueue implements RouteQueue {
  readonly queue: Queue<RouteJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<RouteJob>(pipelineJobQueues.route, { connection, prefix, defaultJobOptions });
  }

  async enqueue(complaintId: string, requestId: string | undefined): Promise<void> {
    await this.queue.add(
      'route',
      { complaintId, ...(requestId ? { requestId } : {}) },
      { jobId: jobIds.route(complaintId) },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
