// What an /api request that no route took is told. A path the API has, asked with a method it does not take,
// is a 405 naming the methods it does take (in `Allow`, as HTTP asks), so a client sees it used the wrong verb
// rather than a wrong address; OPTIONS on such a path is answered with the same `Allow` list. Anything else is
// a 404.
import type { RequestHandler } from 'express';
import { HttpError } from './errors';
import type { AnyRoute } from './route';

interface PathMethods {
  /** The route's path split at `/`; a `:name` segment matches any one segment. */
  segments: string[];
  method: string;
}

/** `/api/runs/run-1/export/` → ['', 'api', 'runs', 'run-1', 'export'] (a trailing slash does not count). */
const segmentsOf = (path: string) => path.replace(/\/+$/, '').split('/');

const matches = (route: string[], path: string[]) =>
  route.length === path.length && route.every((segment, i) => (segment.startsWith(':') ? path[i] !== '' : segment === path[i]));

/** The methods the API takes on `path`, HEAD included wherever GET is. */
function allowedMethods(routes: PathMethods[], path: string): string[] {
  const asked = segmentsOf(path);
  const methods = new Set(routes.filter(({ segments }) => matches(segments, asked)).map(({ method }) => method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

export function unmatchedApiRequest(routes: Array<Pick<AnyRoute, 'method' | 'path'>>): RequestHandler {
  const known = routes.map((route) => ({ segments: segmentsOf(route.path), method: route.method.toUpperCase() }));
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    const allowed = allowedMethods(known, path);
    if (allowed.length === 0) return next(new HttpError(404, 'not_found', `no API route ${req.method} ${path}`));
    const allow = [...allowed, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(204).end();
      return;
    }
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}; it takes ${allowed.join(', ')}`, undefined, { Allow: allow }));
  };
}
