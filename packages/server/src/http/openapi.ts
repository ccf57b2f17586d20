// OpenAPI 3.1 from the route table and its zod schemas (z.toJSONSchema emits JSON Schema 2020-12,
// which is what OpenAPI 3.1 uses).
import { z } from 'zod';
import type { AnyRoute, ResponseSpec } from './route';
import { documentedAs, ErrorSchema } from './schemas';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

function jsonSchemaOf(schema: z.ZodType, io: Io): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (context) => {
      const documented = documentedAs.get(context.zodSchema as unknown as z.ZodType);
      if (!documented) return;
      const replacement = jsonSchemaOf(documented, 'output');
      const description = context.jsonSchema.description;
      for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
      Object.assign(context.jsonSchema, replacement, description ? { description } : {});
    },
  }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

/** `/api/runs/:id` → `/api/runs/{id}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function objectShapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('route params and queries must be z.object schemas');
  return shape;
}

function parametersOf(route: AnyRoute): object[] {
  const parameters: object[] = [];
  const describe = (location: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    for (const [name, field] of Object.entries(objectShapeOf(schema))) {
      const fieldSchema = jsonSchemaOf(field, 'input');
      const description = fieldSchema.description;
      delete fieldSchema.description;
      parameters.push({
        name,
        in: location,
        required: location === 'path' || !field.safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: fieldSchema,
      });
    }
  };
  describe('path', route.params);
  describe('query', route.query);
  if (route.operationId === 'streamRunEvents') {
    parameters.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'Resume after this seq (sent by EventSource on reconnect)',
      schema: { type: 'string', pattern: '^[0-9]+$' },
    });
  }
  return parameters;
}

function responseObjectOf(spec: ResponseSpec): object {
  const content: Record<string, object> = {};
  if (spec.schema) content['application/json'] = { schema: jsonSchemaOf(spec.schema, 'output') };
  for (const [mediaType, media] of Object.entries(spec.media ?? {})) {
    // Media type objects have no description of their own: it goes on the schema.
    const schema = media.schema ? jsonSchemaOf(media.schema, 'output') : { type: 'string' };
    content[mediaType] = { schema: media.description ? { ...schema, description: media.description } : schema };
  }
  const headers = Object.fromEntries(
    Object.entries(spec.headers ?? {}).map(([name, header]) => [name, { description: header.description, schema: { type: 'string' } }]),
  );
  return {
    description: spec.description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

const errorResponse = (description: string): ResponseSpec => ({ description, schema: ErrorSchema });

/** The error answers a route can give, derived from what it takes, plus the ones it declares. */
function errorResponsesOf(route: AnyRoute): Record<string, ResponseSpec> {
  const errors: Record<string, ResponseSpec> = {};
  if (route.params || route.query || route.body) {
    errors['400'] = errorResponse(route.body ? 'Bad JSON, or a body/parameter that fails its schema (problems in `details`)' : 'A parameter fails its schema');
  }
  if (route.auth !== 'public') errors['401'] = errorResponse('STORYLOOM_API_KEYS is set and no valid key was given');
  if (route.method !== 'get') {
    errors['403'] = errorResponse('`forbidden_origin`: a browser request from another site (Origin not this server nor in STORYLOOM_CORS_ORIGINS)');
  }
  if (route.params) errors['404'] = errorResponse('No such pipeline, version, run or node');
  if (route.body) errors['413'] = errorResponse('Body larger than STORYLOOM_BODY_LIMIT');
  for (const extra of route.errors ?? []) errors[String(extra.status)] = errorResponse(extra.description);
  errors['500'] = errorResponse('Unexpected server error (a bug)');
  errors['503'] ??= errorResponse('`database_unreachable`: the database did not answer (restarting or down); `Retry-After` says when to try again');
  return errors;
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const responses: Record<string, object> = {};
    for (const [status, spec] of Object.entries(route.responses)) responses[status] = responseObjectOf(spec);
    for (const [status, spec] of Object.entries(errorResponsesOf(route))) responses[status] ??= responseObjectOf(spec);
    const parameters = parametersOf(route);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } } };
    }
    if (route.auth === 'public') operation.security = [];
    if (route.auth === 'bearer-or-query-token') operation.security = [{ bearerAuth: [] }, { accessTokenQuery: [] }];
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Storyloom API',
      version,
      description:
        'Node-graph story pipelines: save pipelines (every save a version), start runs, follow their events (SSE), ' +
        'decide approvals, export documents. Errors are `{ error: { code, message, details? } }`. When the server has ' +
        'STORYLOOM_API_KEYS set, every route but /api/health needs `Authorization: Bearer <key>`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of STORYLOOM_API_KEYS (only enforced when set)' },
        accessTokenQuery: { type: 'apiKey', in: 'query', name: 'access_token', description: 'The same key, for EventSource (SSE route only)' },
      },
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
  };
}
