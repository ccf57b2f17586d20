// System routes: health (public; 503 when the database or the queue does not answer), Prometheus metrics, the node
// catalogue, the model providers usable now, and the OpenAPI document, built from every route on first request.
import { availableModels, describeNodeTypes } from '@storyloom/engine/node';
import { z } from 'zod';
import type { AppContext } from '../context';
import { buildOpenApiDocument } from '../openapi';
import { type AnyRoute, defineRoute } from '../route';
import { HealthSchema, ModelAvailabilitySchema, NodeTypeDescriptionSchema, OpenApiDocumentSchema } from '../schemas';

export function systemRoutes(context: AppContext, allRoutes: () => readonly AnyRoute[]): AnyRoute[] {
  let openApiDocument: object | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/api/health',
      operationId: 'getHealth',
      summary: 'Liveness, version, and whether the database and the queue answer (always open, even with API keys configured)',
      tag: 'system',
      auth: 'public',
      responses: {
        200: { description: 'The server, its database and its queue are up', schema: HealthSchema },
        503: { description: 'The database or the queue does not answer (each says which, with the error)', schema: HealthSchema },
      },
      handler: async () => {
        const { storyloom, scheduler } = context;
        const [database, queue] = await Promise.all([
          storyloom.ping().then(
            () => ({ ok: true, kind: storyloom.storeKind }),
            (error: Error) => ({ ok: false, kind: storyloom.storeKind, error: error.message }),
          ),
          scheduler.health(),
        ]);
        const ok = database.ok && queue.ok;
        return { status: ok ? 200 : 503, body: { ok, version: context.options.version, database, queue } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics: runs by status, queue depth, node and model-call durations, tokens',
      description:
        'Runs by status and the queue depth are read from the database and the queue on each scrape (every server answers ' +
        'the same); durations and tokens are those of the runs this process drove (each worker serves its own with --metrics-port).',
      tag: 'system',
      auth: 'bearer',
      responses: { 200: { description: 'The Prometheus text format', media: { 'text/plain': { description: 'Prometheus exposition format 0.0.4' } } } },
      handler: async ({ res }) => {
        const { contentType, body } = await context.metrics.render();
        res.setHeader('Content-Type', contentType);
        res.status(200).send(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/node-types',
      operationId: 'listNodeTypes',
      summary: 'The node catalogue with config and output JSON Schemas',
      tag: 'system',
      auth: 'bearer',
      responses: { 200: { description: 'Every node type', schema: z.array(NodeTypeDescriptionSchema) } },
      handler: () => ({ status: 200, body: describeNodeTypes() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/models',
      operationId: 'listModels',
      summary: 'Model providers and whether they are usable now (offline always is)',
      tag: 'system',
      auth: 'bearer',
      responses: { 200: { description: 'Providers', schema: z.array(ModelAvailabilitySchema) } },
      handler: () => ({ status: 200, body: availableModels(context.options.env) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI 3.1 description, generated from the same zod schemas the server validates with',
      tag: 'system',
      auth: 'bearer',
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: OpenApiDocumentSchema } },
      handler: () => {
        openApiDocument ??= buildOpenApiDocument(allRoutes(), context.options.version);
        return { status: 200, body: openApiDocument };
      },
    }),
  ];
}
