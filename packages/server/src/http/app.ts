// The Express app. A request meets, in order: the refusal while shutting down (503), security headers, the host
// guard, CORS and, under /api, the origin guard; then its route's key or token check (before the body is read), JSON
// body parsing, zod parsing of params, query and body, and the handler. Unmatched /api requests get a 404 or 405;
// other paths fall to the editor's build; every error leaves through the JSON error handler.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Storyloom } from '@storyloom/engine/node';
import { checkAccess, createActorResolver } from './auth';
import type { AppContext } from './context';
import { corsMiddleware } from './cors';
import { editorRouter } from './editor';
import { errorHandler, HttpError } from './errors';
import { type ServerOptions, serverOptionsFromEnv } from './options';
import { hostGuard } from './host-guard';
import { originGuard } from './origin-guard';
import { type AnyRoute, accessOf, parseRequestPart } from './route';
import { commentRoutes } from './routes/comments';
import { approvalRoutes, runRoutes } from './routes/runs';
import { webhookRoutes } from './routes/webhooks';
import { pipelineRoutes } from './routes/pipelines';
import { systemRoutes } from './routes/system';
import { unmatchedApiRequest } from './unmatched';
import { teamRoutes } from './routes/teams';
import { dispatcherFor } from '../dispatch/dispatcher-for';
import type { RunDispatcher } from '../dispatch/run-dispatcher';
import { Metrics } from '../metrics';
import { securityHeaders } from './security';
import { EventStreams } from './sse';

export interface AppOptions extends Partial<ServerOptions> {
  /** Drives (or enqueues) runs; an in-process RunScheduler of `concurrency` when not given. */
  scheduler?: RunDispatcher;
  streams?: EventStreams;
  lifecycle?: AppContext['lifecycle'];
  /** This process's metrics; a fresh set reading from this engine and scheduler when not given. */
  metrics?: Metrics;
}

/** Every route of the API, in the order Express matches them (also the order of the OpenAPI document). */
export function apiRoutes(context: AppContext): AnyRoute[] {
  const routes: AnyRoute[] = [];
  routes.push(
    ...systemRoutes(context, () => routes),
    ...pipelineRoutes(context),
    ...runRoutes(context),
    ...approvalRoutes(context),
    ...commentRoutes(context),
    ...webhookRoutes(context),
    ...teamRoutes(context),
  );
  return routes;
}

/** Resolves who is asking (401 without a valid key or token where one is needed) and checks their role (403). */
function authMiddleware(resolveActor: ReturnType<typeof createActorResolver>, route: AnyRoute): RequestHandler {
  return async (req, res, next) => {
    try {
      const actor = await resolveActor(req, route.auth);
      if (route.auth !== 'public') checkAccess(actor, accessOf(route));
      res.locals.actor = actor;
    } catch (error) {
      return next(error);
    }
    next();
  };
}

/** Checks a JSON answer against the schema its route declares (ServerOptions.checkResponses). */
function checkReply(route: AnyRoute, status: number, body: unknown): void {
  const schema = route.responses[status]?.schema;
  if (!schema) return;
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new Error(`answer of ${route.operationId} (${status}) does not match its schema: ${JSON.stringify(result.error.issues)}`);
  }
}

function routeHandler(route: AnyRoute, checkResponses: boolean): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const params = parseRequestPart('params', route.params, req.params);
      const query = parseRequestPart('query', route.query, { ...(req.query as object) });
      const body = parseRequestPart('body', route.body, req.body);
      const reply = await route.handler({ params, query, body, req, res, actor: res.locals.actor });
      if (!reply) return;
      if (checkResponses) checkReply(route, reply.status, reply.body);
      res.status(reply.status);
      if (reply.body === undefined) res.end();
      else res.json(reply.body);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The Express app: a thin adapter from HTTP to the engine facade. Per route: API-key check (before the body
 * is read, so unauthenticated clients cannot make the server parse bodies), JSON body parsing with the size
 * limit, zod parsing of params/query/body, the engine call, and the JSON answer.
 */
export function createApp(storyloom: Storyloom, appOptions: AppOptions = {}): express.Express {
  const { scheduler, streams, lifecycle, metrics, ...overrides } = appOptions;
  const options = serverOptionsFromEnv(overrides.env ?? process.env, stripUndefined(overrides));
  const dispatcher = scheduler ?? dispatcherFor(storyloom, { concurrency: options.concurrency, logError: options.logError });
  const context: AppContext = {
    storyloom,
    options,
    scheduler: dispatcher,
    streams: streams ?? new EventStreams(),
    lifecycle: lifecycle ?? { closing: false },
    metrics: metrics ?? watchedMetrics(storyloom, dispatcher),
  };

  const app = express();
  app.disable('x-powered-by');
  app.locals.context = context;
  app.use((_req, res, next) => {
    if (!context.lifecycle.closing) return next();
    res.setHeader('Connection', 'close');
    next(new HttpError(503, 'shutting_down', 'the server is shutting down; retry shortly'));
  });
  app.use(securityHeaders());
  app.use(hostGuard(options));
  app.use(corsMiddleware(options.corsOrigins));
  app.use('/api', originGuard(options.corsOrigins, options.apiKeys));

  const resolveActor = createActorResolver(options.apiKeys, storyloom);
  const parseJson = express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] });
  const routes = apiRoutes(context);
  for (const route of routes) {
    const handlers: RequestHandler[] = [authMiddleware(resolveActor, route)];
    if (route.body) handlers.push(parseJson);
    handlers.push(routeHandler(route, options.checkResponses));
    app[route.method](route.path, ...handlers);
  }
  app.use('/api', unmatchedApiRequest(routes));
  app.use(editorRouter(options.editorDir));
  app.use(errorHandler(options.logError));
  return app;
}

function watchedMetrics(storyloom: Storyloom, dispatcher: RunDispatcher): Metrics {
  const metrics = new Metrics();
  metrics.watch({ storyloom, dispatcher });
  return metrics;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
