import http from 'node:http';
import net from 'node:net';
import request from 'supertest';
import { startTestStack, testKeys, type TestStack } from '../support/test-stack';

/** A GET from a chosen loopback source address (127.0.0.2 is another client on the same machine). */
function getFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] }),
      );
    });
    req.once('error', reject);
  });
}

/** What a slow client sees: the bytes the server sent before it closed the socket. */
function holdOpen(url: string, send: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(send));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

describe('abuse limits on every service', () => {
  let stack: TestStack;
  const perKey = 5;
  const authFailures = 4;

  beforeAll(async () => {
    stack = await startTestStack('abuse', {
      RATE_LIMIT_PER_KEY: String(perKey),
      RATE_LIMIT_AUTH_FAILURES: String(authFailures),
      RATE_LIMIT_WINDOW_MS: '60000',
      HTTP_HEADERS_TIMEOUT_MS: '400',
      HTTP_REQUEST_TIMEOUT_MS: '800',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const calls = () => [
    { service: 'router', url: stack.router.url, path: '/v1/queues', key: testKeys.admin },
    { service: 'worker', url: stack.worker.url, path: '/v1/rules', key: testKeys.admin },
  ];

  it.each(['router', 'worker'])(
    'when an API key exceeds RATE_LIMIT_PER_KEY on the %s, then 429 problem+json with Retry-After; another key goes on',
    async (service) => {
      const call = calls().find((candidate) => candidate.service === service)!;
      for (let attempt = 0; attempt < perKey; attempt += 1) {
        await request(call.url).get(call.path).set('Authorization', `Bearer ${call.key}`).expect(200);
      }
      const limited = await request(call.url).get(call.path).set('Authorization', `Bearer ${call.key}`);
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.body.detail).toMatch(/API key/);
      const other = service === 'router' ? testKeys.agent('agent-1') : testKeys.crm;
      // The crm key has no worker role: 403, not 429, shows the limit is per key.
      expect(
        (await request(call.url).get(call.path).set('Authorization', `Bearer ${other}`)).status,
      ).not.toBe(429);
    },
  );

  it.each(['intake', 'router', 'worker'])(
    'when one address keeps trying unknown keys on the %s, then it gets 429 before any key lookup, X-Forwarded-For changes nothing, and a caller at another address goes on',
    async (service) => {
      const base = { intake: stack.intake.url, router: stack.router.url, worker: stack.worker.url }[service]!;
      const path = {
        intake: '/v1/complaints/00000000-0000-4000-8000-000000000000',
        router: '/v1/agents',
        worker: '/v1/blocklist/c-1',
      }[service]!;
      const url = `${base}${path}`;
      const statuses: number[] = [];
      for (let attempt = 0; attempt < authFailures + 3; attempt += 1) {
        const answer = await getFrom(url, '127.0.0.2', {
          Authorization: `Bearer guessed-key-${attempt}`,
          'X-Forwarded-For': `203.0.113.${attempt}`,
        });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, authFailures)).toEqual(Array(authFailures).fill(401));
      expect(statuses.slice(authFailures)).toEqual([429, 429, 429]);
      // Even the right key is refused from that address until the window ends (no lookup at all)…
      const blocked = await getFrom(url, '127.0.0.2', { Authorization: `Bearer ${testKeys.admin}` });
      expect(blocked.status).toBe(429);
      expect(blocked.contentType).toMatch(/application\/problem\+json/);
      // …while a caller at another address is authenticated as usual (its key has not been used
      // up by the per-key tests: this one is only used here).
      const served = await getFrom(url, '127.0.0.1', {
        Authorization: `Bearer ${testKeys.agent('agent-3')}`,
      });
      expect([200, 403, 404]).toContain(served.status);
    },
  );

  it('when a client sends its headers too slowly, then every service answers 408 and closes the connection', async () => {
    for (const url of [stack.intake.url, stack.router.url, stack.worker.url]) {
      const received = await holdOpen(url, 'GET /health HTTP/1.1\r\nHost: triage\r\n');
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    }
  });

  it('when a client never sends the body it announced, then the request times out with 408', async () => {
    const received = await holdOpen(
      stack.intake.url,
      'POST /v1/complaints HTTP/1.1\r\nHost: triage\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('when a kept-alive connection stays idle, then the server closes it after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const started = Date.now();
    const received = await holdOpen(stack.router.url, 'GET /health HTTP/1.1\r\nHost: triage\r\n\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
