// Who a request comes from and what they may do: an owner key of STORYLOOM_API_KEYS, a user's token (on the event
// stream also `?access_token=`, since EventSource cannot send headers), or the local owner on a server with neither
// keys nor users. Keys are compared by hash in constant time. A missing or invalid credential where one is needed is
// a 401; a role without the route's permission is a 403.
import { createHash, timingSafeEqual } from 'node:crypto';
import { apiKeyActor, can, localActor, type Actor, type Permission, type Storyloom } from '@storyloom/engine/node';
import type { Request } from 'express';
import { HttpError } from './errors';

/** How a route is protected when API keys are configured. */
export type RouteAuth = 'public' | 'bearer' | 'bearer-or-query-token';

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Compares hashes (fixed length) with timingSafeEqual and always checks every key,
 * so neither a key's length nor which key matched shows in the timing. Answers the key matched.
 */
export function createKeyMatcher(keys: readonly string[]): (candidate: string) => string | undefined {
  const digests = keys.map((key) => ({ key, digest: digestOf(key) }));
  return (candidate) => {
    const candidateDigest = digestOf(candidate);
    let matched: string | undefined;
    for (const { key, digest } of digests) if (timingSafeEqual(digest, candidateDigest)) matched ??= key;
    return matched;
  };
}

export function createKeyChecker(keys: readonly string[]): (candidate: string) => boolean {
  const match = createKeyMatcher(keys);
  return (candidate) => match(candidate) !== undefined;
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

/** Stands for callers of public routes, which need no one. */
export const ANONYMOUS: Actor = { id: 'anonymous', name: 'anonymous', role: 'viewer' };

/**
 * Whether several people share this server: it has API keys or user accounts. A server with neither serves the
 * one local owner on loopback, with no token asked and no limit on where it sends requests. Cheap to ask on
 * every request: `hasUsers` looks at the users table at most once per USERS_RECHECK_MS.
 */
export async function isSharedServer(keys: readonly string[], users: Pick<Storyloom, 'hasUsers'>): Promise<boolean> {
  return keys.length > 0 || (await users.hasUsers());
}

/**
 * Who is asking: an owner key of STORYLOOM_API_KEYS, a user's token, or (on a server with neither keys nor
 * users, the single-user default) the local owner. Throws 401 when a key or token is needed and missing or
 * not valid; a revoked user's tokens are not valid.
 */
export function createActorResolver(
  keys: readonly string[],
  users: Pick<Storyloom, 'userForToken' | 'hasUsers'>,
): (req: Request, auth: RouteAuth) => Promise<Actor> {
  const matchKey = createKeyMatcher(keys);
  const local = localActor();
  return async (req, auth) => {
    if (auth === 'public') return ANONYMOUS;
    const token = bearerTokenOf(req) ?? (auth === 'bearer-or-query-token' ? queryTokenOf(req) : undefined);
    if (token === undefined) {
      if (!(await isSharedServer(keys, users))) return local;
      throw new HttpError(401, 'unauthorized', 'this API needs an API key or a user token: send "Authorization: Bearer <token>"');
    }
    const key = matchKey(token);
    if (key !== undefined) return apiKeyActor(key);
    const user = await users.userForToken(token);
    if (user) return { id: user.id, name: user.name, role: user.role };
    if (!(await isSharedServer(keys, users))) return local;
    throw new HttpError(401, 'unauthorized', 'the API key or token is not valid (a revoked user\'s tokens no longer are)');
  };
}

const REFUSALS: Record<Permission, string> = {
  read: 'reading needs a role',
  author: 'only owners and editors change pipelines and runs',
  decide: 'only owners, editors and reviewers decide approvals',
  administer: 'only owners administer the server (users, webhooks)',
};

/** 403 unless the actor's role grants the route's class of request. */
export function checkAccess(actor: Actor, access: Permission): void {
  if (!can(actor.role, access)) throw new HttpError(403, 'forbidden', `${actor.name} is a ${actor.role}: ${REFUSALS[access]}`);
}
