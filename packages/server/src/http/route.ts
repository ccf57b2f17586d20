// One declarative table of routes drives both Express and the OpenAPI document, so they cannot drift apart.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor, Permission } from '@storyloom/engine';
import type { RouteAuth } from './auth';
import { HttpError, problemsOfZodError } from './errors';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  /** JSON answer schema; omit for empty answers. */
  schema?: z.ZodType;
  /** Non-JSON answers (SSE, exports): media type → description of the content. */
  media?: Record<string, { schema?: z.ZodType; description?: string }>;
  headers?: Record<string, { description: string }>;
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  /** Who is asking (the local owner on a server with neither keys nor users; `anonymous` on public routes). */
  actor: Actor;
}

/** A JSON answer; a handler that streams or sends another content type writes `res` itself and returns nothing. */
export interface JsonReply {
  status: number;
  body?: unknown;
}

export interface RouteDefinition<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: HttpMethod;
  /** Express path, e.g. `/api/runs/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: RouteAuth;
  /** The class of request for role checks; by default `read` for GET and `author` for every other method. */
  access?: Permission;
  params?: P;
  query?: Q;
  body?: B;
  /** Success answers; error answers are added from what the route can fail with. */
  responses: Record<number, ResponseSpec>;
  /** Extra error statuses this route answers with (beyond 400/401/404/413 derived from its inputs). */
  errors?: Array<{ status: number; description: string }>;
  handler(context: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>): Promise<JsonReply | void> | JsonReply | void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(route: RouteDefinition<P, Q, B>): RouteDefinition<P, Q, B> {
  return route;
}

export function accessOf(route: Pick<AnyRoute, 'access' | 'method'>): Permission {
  return route.access ?? (route.method === 'get' ? 'read' : 'author');
}

const REQUEST_PART_MESSAGES = {
  params: 'path parameters are not valid',
  query: 'query parameters are not valid',
  body: 'request body does not match its schema',
} as const;

/** Parses one part of the request; a failure is a 400 listing every problem as `{ path, code, message }`. */
export function parseRequestPart(part: keyof typeof REQUEST_PART_MESSAGES, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  if (part === 'body' && value === undefined) {
    throw new HttpError(400, 'invalid_request', 'this request needs a JSON body (Content-Type: application/json)');
  }
  // Routes taking a document of any shape (z.unknown) let the engine say what is wrong with it.
  const takesAnything = (schema as { _zod?: { def?: { type?: string } } })._zod?.def?.type === 'unknown';
  if (part === 'body' && !takesAnything && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new HttpError(400, 'invalid_request', `request body must be a JSON object, not ${kind}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const prefix = part === 'body' ? '' : `/${part}`;
    throw new HttpError(400, 'invalid_request', REQUEST_PART_MESSAGES[part], problemsOfZodError(result.error, prefix));
  }
  return result.data;
}
