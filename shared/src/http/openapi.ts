import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import './zod-openapi-setup';

export { OpenAPIRegistry };
export type { RouteConfig };

/** RFC 9457 problem details, as every error of every service is answered. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** A registry with the shared parts (bearer auth, problem responses) already declared. */
export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key from API_KEYS (key:role[:subject]).',
  });
  registry.register('Problem', problemSchema);
  registerOperationalPaths(registry);
  return registry;
}

/** /health, /ready and /metrics: mounted by createBaseApp on every service, answered without a key. */
function registerOperationalPaths(registry: OpenAPIRegistry): void {
  const readiness = z
    .object({
      status: z.enum(['ready', 'degraded', 'not ready']),
      service: z.string(),
      checks: z.record(z.string(), z.string()),
    })
    .meta({ id: 'Readiness' });
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process answers',
    security: [],
    responses: {
      200: {
        description: 'Alive',
        content: {
          'application/json': { schema: z.object({ status: z.literal('ok'), service: z.string() }) },
        },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary:
      'Readiness: every required dependency answers (an optional one failing is "degraded", still 200)',
    security: [],
    responses: {
      200: { description: 'Ready or degraded', content: { 'application/json': { schema: readiness } } },
      503: {
        description: 'A required dependency is down (a readiness report, not a problem document)',
        content: { 'application/json': { schema: readiness } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    security: [],
    responses: {
      200: { description: 'The Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    },
  });
}

/** The usual error responses, for a route's `responses`. */
export function problemResponses(...statuses: number[]): RouteConfig['responses'] {
  const text: Record<number, string> = {
    400: 'Invalid input; `errors` names every bad field',
    401: 'Missing or unknown API key',
    403: 'The key may not make this call',
    404: 'Not found',
    409: 'Conflicts with the current state',
    410: 'Gone: the link has expired',
    413: 'Body too large',
    415: 'Body is not JSON',
    429: 'Rate limited; see Retry-After',
    503: 'A dependency is unavailable; see Retry-After',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: text[status] ?? 'Error',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}

/** GET /openapi.json (OpenAPI 3.1, generated from the zod schemas) and interactive docs at /docs. */
export function openApiRouter(service: string, version: string, registry: OpenAPIRegistry): Router {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: `triage ${service}`, version, description: `The ${service} service of triage.` },
    security: [{ bearer: [] }],
  });
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', swaggerUi.serve);
  router.get('/docs', swaggerUi.setup(document, { customSiteTitle: `triage ${service} API` }));
  return router;
}
