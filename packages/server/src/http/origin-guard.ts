// CSRF guard for /api: a page on another site can make a browser send simple POSTs to a server on localhost, so a
// state-changing request whose Origin (or Sec-Fetch-Site) says it comes from another site is refused (403) unless that
// origin is listed by name. With API keys, a request carrying an Authorization header passes (the key check decides);
// clients that are not browsers pass; reads are left to CORS.
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
 * another site: an `Origin` that is neither this server (its `Host`) nor listed by name in
 * STORYLOOM_CORS_ORIGINS, or `Sec-Fetch-Site: cross-site` with no listed origin. `*` opens reads to every site
 * but never writes: it would hand every page on the web the open API. With API keys, a request carrying an
 * `Authorization` header passes here (the key check decides): a page can only add that header after a CORS
 * preflight this server allowed, so it cannot be forged cross-site. Requests without these headers (curl, the
 * CLI, scripts) are not browsers' cross-site requests and pass; reads are left to CORS.
 */
export function originGuard(corsOrigins: readonly string[], apiKeys: readonly string[] = []) {
  const allowed = new Set(corsOrigins.filter((origin) => origin !== '*'));
  const keyed = apiKeys.length > 0;
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!STATE_CHANGING.has(req.method)) return next();
    if (keyed && req.headers.authorization !== undefined) return next();
    const origin = req.headers.origin;
    const host = req.headers.host?.toLowerCase();
    if (origin !== undefined) {
      if (allowed.has(origin) || (host !== undefined && hostOf(origin) === host)) return next();
      return next(
        new HttpError(
          403,
          'forbidden_origin',
          `requests from origin '${origin}' may not change anything here; list it by name in STORYLOOM_CORS_ORIGINS to allow it (\`*\` opens reads only)`,
        ),
      );
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      return next(new HttpError(403, 'forbidden_origin', 'cross-site requests may not change anything here (Sec-Fetch-Site: cross-site)'));
    }
    next();
  };
}
