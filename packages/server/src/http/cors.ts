// CORS for the origins listed in STORYLOOM_CORS_ORIGINS (`*` for any): a listed origin gets the CORS headers and its
// preflights answered; with none listed no CORS headers are sent, so browsers keep other sites from reading. Whether a
// cross-site request may change anything is the origin guard's decision, not this one's.
import type { NextFunction, Request, Response } from 'express';

const ALLOWED_METHODS = 'GET,POST,PUT,DELETE,OPTIONS';
const ALLOWED_HEADERS = 'Authorization,Content-Type,Last-Event-ID';

/**
 * CORS for the listed origins only (`*` = any). With no origins configured nothing cross-origin is allowed:
 * no CORS headers are sent, so browsers block other sites. Same-origin requests are never refused here.
 */
export function corsMiddleware(origins: readonly string[]) {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const isAllowed = origin !== undefined && (anyOrigin || allowed.has(origin));
    if (origins.length > 0) res.vary('Origin');
    if (isAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    }
    const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!isPreflight) return next();
    if (isAllowed) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}
