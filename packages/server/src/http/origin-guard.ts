import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `http://host:port` → `host:port`; undefined for `null` or anything that is not an origin. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CSRF guard. A web page on another site can make a browser send simple POSTs (forms, `no-cors` fetch) to a
 * server on localhost; without API keys nothing else would stop it cancelling or resuming runs. So a
 * state-changing request under /api is refused (403 `forbidden_origin`) when the browser says it comes from
 * another site: an `Origin` that is neither this server (its `Host`) nor in STORYLOOM_CORS_ORIGINS, or
 * `Sec-Fetch-Site: cross-site` with no allowed origin. Requests without these headers (curl, the CLI,
 * scripts) are not browsers' cross-site requests and pass; reads are left to CORS.
 */
export function originGuard(corsOrigins: readonly string[]) {
  const anyOrigin = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const origin = req.headers.origin;
    const host = req.headers.host?.toLowerCase();
    if (origin !== undefined) {
      if (anyOrigin || allowed.has(origin) || (host !== undefined && hostOf(origin) === host)) return next();
      return next(
        new HttpError(
          403,
          'forbidden_origin',
          `requests from origin '${origin}' may not change anything here; add it to STORYLOOM_CORS_ORIGINS to allow it`,
        ),
      );
    }
    if (req.headers['sec-fetch-site'] === 'cross-site' && !anyOrigin) {
      return next(new HttpError(403, 'forbidden_origin', 'cross-site requests may not change anything here (Sec-Fetch-Site: cross-site)'));
    }
    next();
  };
}
