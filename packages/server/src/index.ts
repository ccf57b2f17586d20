// The server package's entry point: building the app or starting a whole server, reading its options, the in-process
// run scheduler, the route table and the OpenAPI document built from it, HttpError, and the media types of exports.
export { createApp, startServer } from './server';
export type { RunningServer, ServerOptions, StartServerOptions, AppOptions } from './server';
export { serverOptionsFromEnv } from './http/options';
export { RunScheduler } from './dispatch/run-scheduler';
export { apiRoutes } from './http/app';
export { buildOpenApiDocument } from './http/openapi';
export { HttpError } from './http/errors';
export { EXPORT_CONTENT_TYPES } from './http/routes/runs';
