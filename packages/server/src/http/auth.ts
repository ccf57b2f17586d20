import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { HttpError } from './errors';

/** How a route is protected when API keys are configured. */
export type RouteAuth = 'public' | 'bearer' | 'bearer-or-query-token';

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Compares hashes (fixed length) with timingSafeEqual and always checks every key,
 * so neither a key's length nor which key matched shows in the timing.
 */
export function createKeyChecker(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(digestOf);
  return (candidate) => {
    const candidateDigest = digestOf(candidate);
    let matched = false;
    for (const digest of digests) matched = timingSafeEqual(digest, candidateDigest) || matched;
    return matched;
  };
}

function bearerTokenOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Browsers' EventSource cannot set headers, so the SSE route also takes `?access_token=`. */
function queryTokenOf(req: Request): string | undefined {
  const value = (req.query as Record<string, unknown>).access_token;
  return typeof value === 'string' ? value : undefined;
}

/** Throws 401 unless the request carries a configured key (no-op when no keys are configured). */
export function createAuthGuard(keys: readonly string[]): (req: Request, auth: RouteAuth) => void {
  if (keys.length === 0) return () => undefined;
  const isKey = createKeyChecker(keys);
  return (req, auth) => {
    if (auth === 'public') return;
    const token = bearerTokenOf(req) ?? (auth === 'bearer-or-query-token' ? queryTokenOf(req) : undefined);
    if (token === undefined) {
      throw new HttpError(401, 'unauthorized', 'this API needs an API key: send "Authorization: Bearer <key>"');
    }
    if (!isKey(token)) throw new HttpError(401, 'unauthorized', 'the API key is not valid');
  };
}
