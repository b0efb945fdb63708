import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import { crmJobSchema, type CrmJob } from '../../data-access/router-timers';
import type { WebhookSender } from '../../data-access/webhook-sender';
import type { TicketStore } from '../../domain/ports';

/**
 * Delivers one status change to a CRM. A failure throws, so BullMQ retries with exponential
 * backoff; the complaint's history records the delivery once accepted, and the dead letter when
 * the last attempt failed (the job then stays in the failed set: GET /v1/crm-deliveries).
 */
export function crmProcessor(deps: {
  sender: WebhookSender;
  tickets: Pick<TicketStore, 'appendEvent'>;
  logger: Logger;
}) {
  return async (job: Job<CrmJob>): Promise<number> => {
    const parsed = crmJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad crm job payload: ${parsed.error.message}`);
    const { complaintId, source, url, payload } = parsed.data;
    const attempt = job.attemptsMade + 1;
    const origin = { actor: 'router:crm' };
    try {
      const delivery = await deps.sender.send(url, payload, job.id ?? complaintId);
      await deps.tickets.appendEvent(complaintId, 'crm.delivered', origin, {
        source,
        event: payload.event,
        status: delivery.status,
        attempt,
      });
      return delivery.status;
    } catch (error) {
      if (attempt >= (job.opts.attempts ?? 1)) {
        deps.logger.error({ err: error, complaintId, source, url, attempt }, 'CRM delivery dead-lettered');
        await deps.tickets
          .appendEvent(complaintId, 'crm.dead-lettered', origin, {
            source,
            event: payload.event,
            deliveryId: job.id,
            attempts: attempt,
            error: (error as Error).message,
          })
          .catch(() => undefined);
      }
      throw error;
    }
  };
}
