import type { Logger } from '@triage/shared/kernel';
import { UnrecoverableError, type Job } from 'bullmq';
import { notifyJobSchema, type NotifyJob } from '../../data-access/router-timers';
import type { WebhookSender } from '../../data-access/webhook-sender';
import type { TicketStore } from '../../domain/ports';

/**
 * Delivers one notify action. A failure throws, so BullMQ retries with exponential backoff; the
 * delivery is recorded in the complaint's history once the receiver accepted it.
 */
export function notifyProcessor(deps: {
  sender: WebhookSender;
  tickets: Pick<TicketStore, 'appendEvent'>;
  logger: Logger;
}) {
  return async (job: Job<NotifyJob>): Promise<number> => {
    const parsed = notifyJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad notify job payload: ${parsed.error.message}`);
    const { complaintId, url, payload } = parsed.data;
    const delivery = await deps.sender.send(url, payload, job.id ?? complaintId);
    await deps.tickets.appendEvent(
      complaintId,
      'notified',
      { actor: 'router:notify' },
      {
        url,
        step: payload.step,
        status: delivery.status,
        attempt: job.attemptsMade + 1,
      },
    );
    deps.logger.info({ complaintId, url, attempt: job.attemptsMade + 1 }, 'notification delivered');
    return delivery.status;
  };
}
