import type { Express } from 'express';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The served OpenAPI document and the express routes cannot drift: every route is an
 * operation, every operation a route, and each operation documents the answers every route of
 * its kind can give. Mounted paths that are not API operations are listed here, with why.
 */
const notOperations: ReadonlyArray<{ prefix: string; why: string }> = [
  { prefix: '/openapi.json', why: 'the document itself' },
  { prefix: '/docs', why: 'Swagger UI pages and their static assets' },
  { prefix: '/admin/queues', why: 'bull-board: a UI and its own internal API, admin-only' },
  { prefix: '/dashboard', why: 'the static dashboard page (HTML), not an API' },
  { prefix: '/agent', why: 'the agent workspace page, its script and styles (HTML, JS, CSS), not an API' },
  { prefix: '/qa', why: 'the QA page, its scripts and styles (HTML, JS, CSS), not an API' },
];

const httpMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The router internals this test reads (express 5 / router 2). */
interface RouteLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: RouteLayer[] };
}

interface Operation {
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; schema?: Record<string, unknown> }>;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof httpMethods)[number], Operation>>>;
}

const excluded = (path: string) =>
  notOperations.some(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));

/** "/v1/agents/:agentId" → "/v1/agents/{agentId}", as OpenAPI writes path parameters. */
const asOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function pathOf(raw: unknown, where: string): string {
  if (typeof raw !== 'string') throw new Error(`${where}: a non-string route path (${String(raw)})`);
  return raw;
}

/** "METHOD /path" for every route of the app, routers mounted under a prefix included. */
function expressOperations(app: Express): Set<string> {
  const found = new Set<string>();
  const walk = (stack: readonly RouteLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = prefix + pathOf(layer.route.path, prefix || '/');
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') throw new Error(`${path}: app.all() routes cannot be documented`);
          found.add(`${method.toUpperCase()} ${asOpenApiPath(path)}`);
        }
      } else if (Array.isArray(layer.handle.stack)) {
        const mount = pathOf(layer.rawPath, prefix || '/');
        walk(layer.handle.stack, mount === '/' ? prefix : prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack, '');
  return new Set([...found].filter((operation) => !excluded(operation.split(' ')[1] ?? '')));
}

function documentedOperations(document: OpenApiDocument): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (operation) operations.set(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return operations;
}

/** A value every path parameter of this API accepts (UUID, agent id, customer id, queue id). */
const placeholder = '00000000-0000-4000-8000-000000000000';

describe('OpenAPI documents exactly the routes each service serves', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The keyless probes below are failed authentications; the per-address limit must not cut them off.
    stack = await startTestStack('openapi-drift', { RATE_LIMIT_AUTH_FAILURES: '10000' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const services = () =>
    [
      { name: 'intake', app: stack.intake.app, url: stack.intake.url },
      { name: 'worker', app: stack.worker.app, url: stack.worker.url },
      { name: 'router', app: stack.router.app, url: stack.router.url },
    ] as const;

  async function specOf(url: string): Promise<OpenApiDocument> {
    const res = await request(url).get('/openapi.json').expect(200);
    return res.body as OpenApiDocument;
  }

  it.each(['intake', 'worker', 'router'])(
    'when %s answers /openapi.json, then its operations are its express routes, both ways',
    async (name) => {
      const service = services().find((s) => s.name === name);
      if (!service) throw new Error(name);
      const routes = expressOperations(service.app);
      const documented = new Set(documentedOperations(await specOf(service.url)).keys());
      expect({ undocumented: [...routes].filter((op) => !documented.has(op)).sort() }).toEqual({
        undocumented: [],
      });
      expect({ withoutRoute: [...documented].filter((op) => !routes.has(op)).sort() }).toEqual({
        withoutRoute: [],
      });
    },
  );

  it.each(['intake', 'worker', 'router'])(
    'when a %s operation needs a key, then a keyless call is 401 and 401, 403 and 429 are documented',
    async (name) => {
      const service = services().find((s) => s.name === name);
      if (!service) throw new Error(name);
      const missing: string[] = [];
      for (const [key, operation] of documentedOperations(await specOf(service.url))) {
        if (operation.security?.length === 0) continue; // public, or signed another way (webhooks)
        const [method = '', path = ''] = key.split(' ');
        const res = await request(service.url)[method.toLowerCase() as 'get'](
          path.replace(/\{\w+\}/g, placeholder),
        );
        if (res.status !== 401) missing.push(`${key}: a keyless call answered ${res.status}, not 401`);
        for (const status of ['401', '403', '429']) {
          if (!operation.responses[status]) missing.push(`${key}: ${status} not documented`);
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it.each(['intake', 'worker', 'router'])(
    'when a %s operation takes a body, a query or a checked path parameter, then 400 is documented (and 413, 415 for a body)',
    async (name) => {
      const service = services().find((s) => s.name === name);
      if (!service) throw new Error(name);
      const missing: string[] = [];
      for (const [key, operation] of documentedOperations(await specOf(service.url))) {
        const takesQuery = operation.parameters?.some((parameter) => parameter.in === 'query') ?? false;
        // A path parameter with a pattern, format or length is validated by the route: 400 when it does not fit.
        const checksPath =
          operation.parameters?.some(
            (parameter) =>
              parameter.in === 'path' &&
              ['pattern', 'format', 'minLength', 'maxLength'].some(
                (keyword) => keyword in (parameter.schema ?? {}),
              ),
          ) ?? false;
        const needs = [
          ...(operation.requestBody || takesQuery || checksPath ? ['400'] : []),
          ...(operation.requestBody ? ['413', '415'] : []),
        ];
        for (const status of needs) {
          if (!operation.responses[status]) missing.push(`${key}: ${status} not documented`);
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it.each(['intake', 'worker', 'router'])(
    'when a %s operation documents an error, then it is application/problem+json',
    async (name) => {
      const service = services().find((s) => s.name === name);
      if (!service) throw new Error(name);
      const wrong: string[] = [];
      for (const [key, operation] of documentedOperations(await specOf(service.url))) {
        // The one exception: /ready's 503 is the readiness report itself, for load balancers.
        if (key === 'GET /ready') continue;
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const types = Object.keys(response.content ?? {});
          if (types.join() !== 'application/problem+json')
            wrong.push(`${key} ${status}: ${types.join() || 'no body'}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});
