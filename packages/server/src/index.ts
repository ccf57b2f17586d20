export { createApp, startServer } from './server';
export type { RunningServer, ServerOptions, StartServerOptions, AppOptions } from './server';
export { serverOptionsFromEnv } from './http/options';
export { RunScheduler } from './dispatch/run-scheduler';
export { apiRoutes } from './http/app';
export { buildOpenApiDocument } from './http/openapi';
export { HttpError } from './http/errors';
export { EXPORT_CONTENT_TYPES } from './http/routes/runs';
