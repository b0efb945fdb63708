import type { CrmDelivery } from '../../src/domain/crm-loop';
import type { NotifyRequest, TimerPort } from '../../src/domain/ports';
import type { SlaTimer } from '../../src/domain/sla-clock';

export interface ScheduledSlaTimer {
  complaintId: string;
  generation: number;
  timer: SlaTimer;
}

/**
 * The timer queues in memory. Like the BullMQ adapter, ids are deterministic, so scheduling a
 * timer or a notification twice keeps one.
 */
export class FakeTimers implements TimerPort {
  /** Pending SLA timers by id: `<complaint>-<generation>-<phase>-<key>`. */
  readonly sla = new Map<string, ScheduledSlaTimer>();
  readonly leases: Array<{ complaintId: string; agentId: string; until: Date }> = [];
  /** Notifications by their id. */
  readonly notifications = new Map<string, NotifyRequest>();
  /** Follow-up timers by id: `<complaint>-<follow-up>-<remind|due>`, with when each is due. */
  readonly followUps = new Map<string, Date>();
  /** CRM deliveries by their id. */
  readonly crm = new Map<string, CrmDelivery>();
  /** While set, watching a lease fails (Redis unreachable). */
  leaseQueueDown = false;

  static slaId(complaintId: string, generation: number, timer: Pick<SlaTimer, 'phase' | 'key'>): string {
    return `${complaintId}-${generation}-${timer.phase}-${timer.key}`;
  }

  async scheduleSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void> {
    for (const timer of timers) {
      const id = FakeTimers.slaId(complaintId, generation, timer);
      if (!this.sla.has(id)) this.sla.set(id, { complaintId, generation, timer });
    }
  }

  async cancelSla(complaintId: string, generation: number, timers: readonly SlaTimer[]): Promise<void> {
    for (const timer of timers) this.sla.delete(FakeTimers.slaId(complaintId, generation, timer));
  }

  async watchLease(complaintId: string, agentId: string, until: Date): Promise<void> {
    if (this.leaseQueueDown) throw new Error('lease queue unreachable');
    this.leases.push({ complaintId, agentId, until });
  }

  async notify(request: NotifyRequest): Promise<void> {
    if (!this.notifications.has(request.id)) this.notifications.set(request.id, request);
  }

  async scheduleFollowUp(
    complaintId: string,
    followUp: { id: string; remindAt: Date; dueAt: Date },
  ): Promise<void> {
    for (const [kind, at] of [
      ['remind', followUp.remindAt],
      ['due', followUp.dueAt],
    ] as const) {
      const id = `${complaintId}-${followUp.id}-${kind}`;
      if (!this.followUps.has(id)) this.followUps.set(id, at);
    }
  }

  async tellCrm(delivery: CrmDelivery): Promise<void> {
    if (!this.crm.has(delivery.id)) this.crm.set(delivery.id, delivery);
  }

  async cancelFollowUp(complaintId: string, followUpId: string): Promise<void> {
    for (const kind of ['remind', 'due']) this.followUps.delete(`${complaintId}-${followUpId}-${kind}`);
  }

  /** The keys of a ticket's pending SLA timers of one generation, soonest first. */
  slaKeys(complaintId: string, generation: number): string[] {
    return [...this.sla.values()]
      .filter((entry) => entry.complaintId === complaintId && entry.generation === generation)
      .sort((a, b) => a.timer.dueAt.getTime() - b.timer.dueAt.getTime())
      .map((entry) => entry.timer.key);
  }
}
