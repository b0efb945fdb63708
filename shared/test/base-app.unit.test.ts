import request from 'supertest';
import { z } from 'zod';
import { createBaseApp } from '../src/http/base-app';
import { notFoundHandler, problemHandler } from '../src/http/problem';
import { parseOrThrow } from '../src/kernel/validation';
import { createLogger } from '../src/kernel/logger';

function buildApp(ready: boolean, optionalReady = true) {
  const logger = createLogger('test', 'silent');
  const app = createBaseApp('test', logger, [
    { name: 'dependency', check: async () => ready },
    { name: 'optional', check: async () => optionalReady, required: false },
  ]);
  app.post('/echo', (req, res) => {
    res.json(
      parseOrThrow(z.object({ name: z.string() }).strict(), {
        name: req.query.name,
        ...(req.query.extra ? { extra: 1 } : {}),
      }),
    );
  });
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return app;
}

describe('the shared HTTP skeleton', () => {
  it('when a dependency is down, then /ready answers 503 naming it while /health stays 200', async () => {
    const app = buildApp(false);
    await request(app).get('/health').expect(200, { status: 'ok', service: 'test' });
    const ready = await request(app).get('/ready').expect(503);
    expect(ready.body).toEqual({
      status: 'not ready',
      service: 'test',
      checks: { dependency: 'not ready', optional: 'ok' },
    });
  });

  it('when only an optional dependency is down, then /ready answers 200 "degraded" naming it', async () => {
    const ready = await request(buildApp(true, false)).get('/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'degraded',
      service: 'test',
      checks: { dependency: 'ok', optional: 'not ready' },
    });
    const healthy = await request(buildApp(true, true)).get('/ready').expect(200);
    expect(healthy.body.status).toBe('ready');
  });

  it('when requests have been served, then /metrics reports them by route pattern', async () => {
    const app = buildApp(true);
    await request(app).post('/echo?name=x').expect(200);
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /triage_http_request_duration_seconds_count\{service="test",method="POST",route="\/echo",status="200"\} 1/,
    );
    expect(metrics.text).toContain('triage_process_cpu_seconds_total');
  });

  it('when input is invalid, then 400 problem+json names the unknown field by its path', async () => {
    const response = await request(buildApp(true)).post('/echo?extra=1').expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/name', message: expect.any(String) },
        { path: '/extra', message: 'unknown field (not part of the schema)' },
      ]),
    );
  });

  it('when a handler throws, then the client gets a 500 problem without internals and an unknown route gets 404', async () => {
    const app = buildApp(true);
    const failed = await request(app).get('/boom').expect(500);
    expect(failed.body).toMatchObject({ status: 500, title: 'Internal server error' });
    expect(JSON.stringify(failed.body)).not.toContain('secret internals');
    const missing = await request(app).get('/nowhere').expect(404);
    expect(missing.body).toMatchObject({ status: 404, detail: 'No route for GET /nowhere' });
  });
});
