// The people behind requests: users' API tokens (random, shown once, kept as SHA-256) and the actors that
// stand for the single local user and for the owner keys of STORYLOOM_API_KEYS.
import { createHash, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Actor } from '../contract/actor';

/** User names: what `storyloom users add` takes and what gates name in `approval.users`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** A new API token: 32 random bytes, recognisable by its prefix in logs and secret scanners. */
export function newUserToken(): string {
  return `sl_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The one person of a server or CLI used without users: the owner, named after the account it runs under. */
export function localActor(): Actor {
  let name = 'local';
  try {
    name = userInfo().username || name;
  } catch {
    // No user database entry (some containers): the generic name does.
  }
  return { id: `local:${name}`, name, role: 'owner' };
}

/** An owner key of STORYLOOM_API_KEYS, named by a short hash so logs and the audit list never show the key. */
export function apiKeyActor(key: string): Actor {
  const short = hashToken(key).slice(0, 8);
  return { id: `key:${short}`, name: `owner key ${short}`, role: 'owner' };
}
