/**
 * The demo's working day, after `npm run demo` posted its complaints: demo agents work some of
 * them through the router's API as people would — acknowledge, write to the customer, promise
 * and keep a call-back, resolve with a code — and the customers answer the satisfaction survey.
 * So a newcomer opening the dashboard sees resolved tickets, CSAT and the agents' ranking, not
 * only queues. Bob's queues (general, escalations, repeat-desk) are left alone: README's
 * "agent's day" is his, right after the demo.
 */

export interface DemoDayKeys {
  admin: string;
  agents: Record<string, string>;
}

export interface DemoDayTally {
  worked: number;
  resolved: number;
  surveysAnswered: number;
}

interface TicketSummary {
  id: string;
  queue: string;
  subject?: string;
}

/** Which agent works which queue's tickets in the demo, and how many. */
const plan: Array<{ agent: string; queue: string; take: number }> = [
  { agent: 'alice', queue: 'billing', take: 3 },
  { agent: 'alice', queue: 'credit-reporting', take: 1 },
  { agent: 'wei', queue: 'cn-service', take: 2 },
  { agent: 'wei', queue: 'billing', take: 1 },
];

/** Chen already holds the fraud push queue's tickets: he resolves this many of them. */
const CHEN_RESOLVES = 2;

/** Survey answers by agent, in order: the ranking then has something to tell apart. */
const surveyScores: Record<string, number[]> = { alice: [5, 4, 5, 4], wei: [4, 2, 3], chen: [5, 5] };

const resolutionCodes = ['refunded', 'corrected', 'explained', 'goodwill'];

class ApiError extends Error {}

async function call(
  base: string,
  key: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(base + path, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok)
    throw new ApiError(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Waits (bounded) until the router has routed `expected` complaints: the pipeline is asynchronous. */
async function waitRouted(base: string, admin: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { queues } = (await call(base, admin, 'GET', '/v1/queues')) as {
      queues: Array<{ depth: number; active: number }>;
    };
    const routed = queues.reduce((sum, queue) => sum + queue.depth + queue.active, 0);
    if (routed >= expected || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One ticket worked to the end by its agent, and the customer's survey answer. */
async function workTicket(
  base: string,
  agentKey: string,
  ticket: TicketSummary,
  index: number,
  score: number | undefined,
  tally: DemoDayTally,
): Promise<void> {
  const at = `/v1/tickets/${ticket.id}`;
  await call(base, agentKey, 'POST', `${at}/ack`, {});
  await call(base, agentKey, 'POST', `${at}/notes`, {
    text:
      index % 2 === 0
        ? '您好，我们已核实情况，正在为您处理。 Hello, we have checked and are on it.'
        : 'We found the cause and are correcting it today.',
    visibility: 'customer',
  });
  if (index % 2 === 0) {
    const { followUp } = (await call(base, agentKey, 'POST', `${at}/follow-ups`, {
      inBusinessMinutes: 240,
      note: '回电确认处理结果 / call back to confirm the outcome',
    })) as { followUp: { id: string } };
    await call(base, agentKey, 'POST', `${at}/follow-ups/${followUp.id}/done`, {
      note: '已回电 / called back',
    });
  }
  await call(base, agentKey, 'POST', `${at}/resolve`, {
    resolutionCode: resolutionCodes[index % resolutionCodes.length],
    summary: 'Resolved in the demo day',
  });
  tally.worked += 1;
  tally.resolved += 1;
  if (score === undefined) return;
  const { url } = (await call(base, agentKey, 'GET', `${at}/survey`)) as { url: string };
  // The link is public: the customer's browser (here, its JSON twin) needs no key.
  const answer = await fetch(base + new URL(url).pathname, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ score, comment: score >= 4 ? '处理及时，谢谢 / quick, thanks' : 'took too long' }),
  });
  if (answer.status === 201) tally.surveysAnswered += 1;
}

export async function runDemoDay(
  routerUrl: string,
  keys: DemoDayKeys,
  expectedComplaints: number,
  log: (line: string) => void,
): Promise<DemoDayTally> {
  const tally: DemoDayTally = { worked: 0, resolved: 0, surveysAnswered: 0 };
  await waitRouted(routerUrl, keys.admin, expectedComplaints, 30_000);
  const worked = new Map<string, number>();
  const next = (agent: string) => {
    const index = worked.get(agent) ?? 0;
    worked.set(agent, index + 1);
    return index;
  };
  for (const step of plan) {
    const agentKey = keys.agents[step.agent];
    if (!agentKey) continue;
    const { tickets } = (await call(
      routerUrl,
      keys.admin,
      'GET',
      `/v1/queues/${step.queue}/tickets?status=queued&limit=${step.take}`,
    )) as { tickets: TicketSummary[] };
    for (const ticket of tickets) {
      try {
        await call(routerUrl, keys.admin, 'POST', `/v1/tickets/${ticket.id}/assign`, { agentId: step.agent });
        const index = next(step.agent);
        await workTicket(routerUrl, agentKey, ticket, index, surveyScores[step.agent]?.[index], tally);
      } catch (error) {
        // Taken meanwhile, or the agent is full: the demo goes on with the next one.
        log(`  skipped ${ticket.id.slice(0, 8)}: ${(error as Error).message}`);
      }
    }
  }
  const chenKey = keys.agents.chen;
  if (chenKey) {
    const { tickets } = (await call(routerUrl, chenKey, 'GET', '/v1/agents/chen/tickets')) as {
      tickets: TicketSummary[];
    };
    for (const ticket of tickets.slice(0, CHEN_RESOLVES)) {
      const index = next('chen');
      try {
        await workTicket(routerUrl, chenKey, ticket, index, surveyScores.chen?.[index], tally);
      } catch (error) {
        log(`  skipped ${ticket.id.slice(0, 8)}: ${(error as Error).message}`);
      }
    }
  }
  return tally;
}
