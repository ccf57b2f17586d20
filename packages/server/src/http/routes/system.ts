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
      summary: 'Liveness and version (always open, even with API keys configured)',
      tag: 'system',
      auth: 'public',
      responses: { 200: { description: 'The server is up', schema: HealthSchema } },
      handler: () => ({ status: 200, body: { ok: true, version: context.options.version } }),
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
