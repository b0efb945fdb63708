import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '@triage/shared/http';

export interface WebhookDelivery {
  status: number;
}

/** A delivery the receiver refused or that did not arrive; the notify queue retries it. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';

  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Sends outgoing webhooks signed like incoming ones: `X-Triage-Signature: t=<unix>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">` with the router's notify secret.
 */
export class WebhookSender {
  constructor(
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async send(url: string, payload: Record<string, unknown>, deliveryId: string): Promise<WebhookDelivery> {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'triage-router',
          'X-Triage-Delivery': deliveryId,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.secret, body),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WebhookDeliveryError(`POST ${url} failed: ${(error as Error).message}`);
    }
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok)
      throw new WebhookDeliveryError(`POST ${url} answered ${response.status}`, response.status);
    return { status: response.status };
  }
}
