import type { Server } from 'node:http';
import { closeServer, listen, portOf } from '@triage/shared/http';
import express from 'express';

export interface ReceivedWebhook {
  at: number;
  signature: string | undefined;
  rawBody: Buffer;
  body: Record<string, unknown>;
  answered: number;
}

/**
 * A local webhook receiver on port 0. `answers` are the status codes of the first deliveries
 * (e.g. [500] makes the first one fail, so the sender must retry); later ones get 204.
 */
export async function startWebhookReceiver(answers: number[] = []) {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const app = express();
  app.post('/hooks/sla', express.raw({ type: 'application/json' }), (req, res) => {
    const answered = answers.shift() ?? 204;
    const rawBody = req.body as Buffer;
    received.push({
      at: Date.now(),
      signature: req.header('x-triage-signature'),
      rawBody,
      body: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>,
      answered,
    });
    res.status(answered).end();
    for (const waiter of [...waiters]) {
      if (received.filter((item) => item.answered < 300).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const server: Server = await listen(app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${portOf(server)}/hooks/sla`,
    received,
    /** Resolves once `count` deliveries were accepted. */
    accepted(count: number, timeoutMs = 20_000): Promise<void> {
      if (received.filter((item) => item.answered < 300).length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${count} deliveries not accepted in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop: () => closeServer(server),
  };
}
