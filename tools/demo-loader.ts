/**
 * `npm run demo`: posts complaints into a running stack through the signed webhook, so a
 * newcomer can watch them flow into queues on the dashboard.
 *
 *   npm run demo                                   the project's bilingual demo set (generic-crm)
 *   npm run demo -- --csv ../shared/data/cfpb-complaints-sample.csv --limit 200
 *                                                  CFPB-format records (cfpb source); the full
 *                                                  public CFPB database CSV works too
 * Options: --url (default http://localhost:$INTAKE_PORT or 3000), --secret (default the demo
 * secret of the source: `npm start` uses the demo secrets unless WEBHOOK_SECRETS is set; then
 * pass the source's secret from it), --rate complaints per second (default 20), --limit N.
 * With the demo set, the demo agents then work a day (tools/demo/demo-day.ts: resolves, follow-ups,
 * survey answers) through the router at --router-url (default http://localhost:$ROUTER_PORT or
 * 3001) with `npm start`'s demo keys; --no-day skips it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ComplaintInput } from '@triage/shared/complaint';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '@triage/shared/http';
import { readCfpbRecords } from './cfpb-corpus';
import { runDemoDay } from './demo/demo-day';

/** `npm start`'s demo keys (tools/start-stack.ts): the demo day acts as these agents. */
const demoDayKeys = {
  admin: 'demo-admin-key',
  agents: { alice: 'demo-agent-alice', wei: 'demo-agent-wei', chen: 'demo-agent-chen' },
};

const demoSecrets: Record<string, string> = {
  'generic-crm': 'demo-webhook-secret',
  cfpb: 'demo-cfpb-secret',
};

/** Our demo complaint in the generic CRM's own shape (see rules/sources/generic-crm.json). */
function asGenericCrmTicket(complaint: ComplaintInput & { externalId: string }): Record<string, unknown> {
  return {
    id: complaint.externalId,
    customer: complaint.customer,
    channel: complaint.channel,
    subject: complaint.subject,
    description: complaint.body,
    product: complaint.product,
    language: complaint.language,
  };
}

/** The project's bilingual demo set (tools/demo/complaints.json) as generic-crm webhook payloads. */
export function demoPayloads(limit = Infinity): Record<string, unknown>[] {
  const file = path.join(__dirname, 'demo', 'complaints.json');
  const demo = JSON.parse(readFileSync(file, 'utf8')) as {
    complaints: Array<ComplaintInput & { externalId: string }>;
  };
  return demo.complaints.slice(0, limit).map(asGenericCrmTicket);
}

/** The first `limit` records of a CFPB-format CSV, as cfpb webhook payloads (the raw CSV rows). */
export function cfpbPayloads(file: string, limit = Infinity): Record<string, unknown>[] {
  return readCfpbRecords(path.resolve(file)).slice(0, limit);
}

export interface DeliveryTally {
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
}

export async function deliver(
  url: string,
  source: string,
  secret: string,
  payloads: Record<string, unknown>[],
  ratePerSecond: number,
  log: (line: string) => void,
): Promise<DeliveryTally> {
  const tally: DeliveryTally = { accepted: 0, duplicates: 0, rejected: 0, failed: 0 };
  const gapMs = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  for (const [index, payload] of payloads.entries()) {
    const body = JSON.stringify(payload);
    try {
      const response = await fetch(`${url}/v1/webhooks/${source}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body),
        },
        body,
      });
      if (response.status === 202) tally.accepted += 1;
      else if (response.status === 200) tally.duplicates += 1;
      else if (response.status === 401) {
        // Every other delivery would be refused the same way: say why once and stop.
        tally.rejected += payloads.length - index;
        log(
          `401 ${await response.text()}\nintake refused the signature for "${source}": the stack's WEBHOOK_SECRETS ` +
            `do not hold this secret. Pass --secret <the value after "${source}:" in WEBHOOK_SECRETS>.`,
        );
        break;
      } else {
        tally.rejected += 1;
        log(`#${index + 1}: ${response.status} ${await response.text()}`);
      }
    } catch (error) {
      tally.failed += 1;
      log(`#${index + 1}: ${(error as Error).message}`);
    }
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return tally;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string' },
      url: { type: 'string' },
      source: { type: 'string' },
      secret: { type: 'string' },
      rate: { type: 'string', default: '20' },
      limit: { type: 'string' },
      'router-url': { type: 'string' },
      'no-day': { type: 'boolean', default: false },
    },
  });
  const url = values.url ?? `http://localhost:${process.env.INTAKE_PORT ?? 3000}`;
  const source = values.source ?? (values.csv ? 'cfpb' : 'generic-crm');
  const secret = values.secret ?? demoSecrets[source];
  if (!secret) throw new Error(`no secret for source ${source}: pass --secret`);
  const limit = values.limit ? Number(values.limit) : Infinity;

  const payloads = values.csv ? cfpbPayloads(values.csv, limit) : demoPayloads(limit);
  console.log(`posting ${payloads.length} complaints to ${url}/v1/webhooks/${source} …`);
  const tally = await deliver(url, source, secret, payloads, Number(values.rate), (line) =>
    console.log(line),
  );
  console.log(
    `done: ${tally.accepted} accepted, ${tally.duplicates} duplicates (already delivered), ${tally.rejected} rejected, ${tally.failed} failed`,
  );
  const routerUrl = values['router-url'] ?? `http://localhost:${process.env.ROUTER_PORT ?? 3001}`;
  if (!values.csv && !values['no-day'] && tally.accepted > 0) {
    console.log('the demo agents work a day (alice, wei, chen; bob is yours: README, "An agent\'s day") …');
    try {
      const day = await runDemoDay(routerUrl, demoDayKeys, tally.accepted, (line) => console.log(line));
      console.log(
        `worked ${day.worked} tickets: ${day.resolved} resolved, ${day.surveysAnswered} satisfaction surveys answered`,
      );
    } catch (error) {
      console.log(
        `the demo day stopped: ${(error as Error).message}\n(it uses npm start's demo keys; pass --no-day against a stack with keys of its own)`,
      );
      process.exitCode = 1;
    }
  }
  console.log(`watch them: ${routerUrl}/dashboard · an agent's view: ${routerUrl}/agent`);
  if (tally.rejected + tally.failed > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
