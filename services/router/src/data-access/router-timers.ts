import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SlaTimer } from '../domain/sla-clock';
import type { TicketFollowUp } from '@triage/shared/complaint';
import type { CrmDelivery } from '../domain/crm-loop';
import type { NotifyRequest, TimerPort } from '../domain/ports';

/** The router's own BullMQ job queues (internal to the router; the other services never see them). */
export const routerJobQueues = {
  /** SLA warnings, breaches and ladder steps: one delayed job per timer. */
  sla: 'sla',
  /** Lease expiries: one delayed job per lease. */
  lease: 'lease',
  /** Outgoing, signed webhooks of notify actions, retried with exponential backoff. */
  notify: 'notify',
  /** Status changes for the CRMs' outgoing webhooks (the loop back to the CRM). */
  crm: 'crm',
  /** Follow-up promises: a reminder and a due timer per promise. */
  followUp: 'follow-up',
  /** The periodic safety-net sweep. */
  maintenance: 'router-maintenance',
} as const;

export const slaTimerJobSchema = z.object({
  complaintId: z.string().min(1),
  generation: z.number().int().positive(),
  phase: z.enum(['first-response', 'resolution']),
  key: z.string().min(1),
  dueAt: z.iso.datetime(),
});
export type SlaTimerJob = z.output<typeof slaTimerJobSchema>;

export const leaseJobSchema = z.object({
  complaintId: z.string().min(1),
  agentId: z.string().min(1),
  leaseExpiresAt: z.iso.datetime(),
});
export type LeaseJob = z.output<typeof leaseJobSchema>;

export const notifyJobSchema = z.object({
  complaintId: z.string().min(1),
  url: z.url(),
  payload: z.record(z.string(), z.unknown()),
});
export type NotifyJob = z.output<typeof notifyJobSchema>;

export const crmJobSchema = z.object({
  complaintId: z.string().min(1),
  source: z.string().min(1),
  url: z.url(),
  payload: z.record(z.string(), z.unknown()),
});
export type CrmJob = z.output<typeof crmJobSchema>;

export const followUpJobSchema = z.object({
  complaintId: z.string().min(1),
  followUpId: z.string().min(1),
  kind: z.enum(['remind', 'due']),
});
export type FollowUpJob = z.output<typeof followUpJobSchema>;

/**
 * Deterministic job ids (BullMQ forbids ':' in custom ids). Adding a timer twice is a no-op, and
 * a timer of an older clock generation has another id, so it can be removed or simply ignored.
 */
export const routerJobIds = {
  sla: (complaintId: string, generation: number, phase: string, key: string) =>
    `sla-${complaintId}-${generation}-${phase}-${key}`,
  lease: (complaintId: string, agentId: string, until: Date) =>
    `lease-${complaintId}-${agentId}-${until.getTime()}`,
  followUp: (complaintId: string, followUpId: string, kind: FollowUpJob['kind']) =>
    `fu-${complaintId}-${followUpId}-${kind}`,
};

const timerJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

export interface NotifyOptions {
  attempts: number;
  backoffMs: number;
  /** The CRM deliveries' retries (more patient than a notification's: a CRM may be down for a while). */
  crmAttempts: number;
  crmBackoffMs: number;
}

/** The producer side of the router's timer job queues (implements the domain's TimerPort). */
export class RouterTimers implements TimerPort {
  readonly sla: Queue<SlaTimerJob>;
  readonly lease: Queue<LeaseJob>;
  readonly notifications: Queue<NotifyJob>;
  readonly followUps: Queue<FollowUpJob>;
  readonly crm: Queue<CrmJob>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly notifyOptions: NotifyOptions,
  ) {
    this.sla = new Queue<SlaTimerJob>(routerJobQueues.sla, { connection, prefix });
    this.lease = new Queue<LeaseJob>(routerJobQueues.lease, { connection, prefix });
    this.notifications = new Queue<NotifyJob>(routerJobQueues.notify, { connection, prefix });
    this.followUps = new Queue<FollowUpJob>(routerJobQueues.followUp, { connection, prefix });
    this.crm = new Queue<CrmJob>(routerJobQueues.crm, { connection, prefix });
  }

  async scheduleSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void> {
    if (timers.length === 0) return;
    const now = Date.now();
    await this.sla.addBulk(
      timers.map((timer) => ({
        name: `sla-${timer.kind}`,
        data: {
          complaintId,
          generation,
          phase: timer.phase,
          key: timer.key,
          dueAt: timer.dueAt.toISOString(),
        },
        opts: {
          ...timerJobOptions,
          jobId: routerJobIds.sla(complaintId, generation, timer.phase, timer.key),
          delay: Math.max(0, timer.dueAt.getTime() - now),
        },
      })),
    );
  }

  async cancelSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void> {
    // A job that is running right now cannot be removed; it is a no-op for the old generation.
    await Promise.all(
      timers.map((timer) =>
        this.sla.remove(routerJobIds.sla(complaintId, generation, timer.phase, timer.key)).catch(() => 0),
      ),
    );
  }

  async watchLease(complaintId: string, agentId: string, until: Date): Promise<void> {
    await this.lease.add(
      'lease-expiry',
      { complaintId, agentId, leaseExpiresAt: until.toISOString() },
      {
        ...timerJobOptions,
        jobId: routerJobIds.lease(complaintId, agentId, until),
        delay: Math.max(0, until.getTime() - Date.now()),
      },
    );
  }

  async notify(request: NotifyRequest): Promise<void> {
    await this.notifications.add(
      'notify',
      { complaintId: request.complaintId, url: request.url, payload: request.payload },
      {
        jobId: request.id,
        attempts: this.notifyOptions.attempts,
        backoff: { type: 'exponential', delay: this.notifyOptions.backoffMs },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    );
  }

  async tellCrm(delivery: CrmDelivery): Promise<void> {
    const { id, ...data } = delivery;
    await this.crm.add('crm', data, {
      jobId: id,
      attempts: this.notifyOptions.crmAttempts,
      backoff: { type: 'exponential', delay: this.notifyOptions.crmBackoffMs },
      // Kept a week once delivered, so a replayed change with the same id is still a no-op;
      // dead letters a month, listed by GET /v1/crm-deliveries?state=failed.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  async scheduleFollowUp(
    complaintId: string,
    followUp: Pick<TicketFollowUp, 'id' | 'remindAt' | 'dueAt'>,
  ): Promise<void> {
    const now = Date.now();
    await this.followUps.addBulk(
      (['remind', 'due'] as const).map((kind) => ({
        name: `follow-up-${kind}`,
        data: { complaintId, followUpId: followUp.id, kind },
        opts: {
          ...timerJobOptions,
          jobId: routerJobIds.followUp(complaintId, followUp.id, kind),
          delay: Math.max(0, (kind === 'remind' ? followUp.remindAt : followUp.dueAt).getTime() - now),
        },
      })),
    );
  }

  async cancelFollowUp(complaintId: string, followUpId: string): Promise<void> {
    await Promise.all(
      (['remind', 'due'] as const).map((kind) =>
        this.followUps.remove(routerJobIds.followUp(complaintId, followUpId, kind)).catch(() => 0),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all([
      this.sla.close(),
      this.lease.close(),
      this.notifications.close(),
      this.followUps.close(),
      this.crm.close(),
    ]);
  }
}
