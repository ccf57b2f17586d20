// DNS-rebinding guard: an open server (no API keys) answers only requests addressed to a loopback name or to a
// host it was configured with. A page on evil.example whose name is rebound to 127.0.0.1 is same-origin with
// itself, so the Origin check cannot see it; its requests still say `Host: evil.example`, and that is refused.
import type { NextFunction, Request, Response } from 'express';
import { HttpError, sendError } from './errors';

/** Addresses that mean "every interface": listening on one does not make its name a host to answer to. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '']);

/** `Host` header → lower-case host name without port (`[::1]:3000` → `[::1]`); undefined when malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const host = hostHeader.trim().toLowerCase();
  const bracketed = /^(\[[0-9a-f:.]+\])(?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9.-]+?)\.?(?::\d+)?$/.exec(host);
  return plain ? plain[1] : undefined;
}

export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * What `--host` adds to the hosts answered: the address it was told to listen on, unless it is a wildcard.
 * IPv6 addresses are bracketed as they appear in a `Host` header.
 */
export function bindHostEntry(bindHost: string | undefined): string[] {
  if (bindHost === undefined) return [];
  const host = bindHost.trim().toLowerCase();
  if (WILDCARD_ADDRESSES.has(host)) return [];
  return [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host];
}

/** Matches a host name against configured entries: exact names, `*.example.com` for subdomains, `*` for any. */
function hostMatcher(allowedHosts: readonly string[]): (name: string) => boolean {
  const entries = allowedHosts.map((entry) => entry.trim().toLowerCase()).filter((entry) => entry.length > 0);
  if (entries.includes('*')) return () => true;
  const exact = new Set(entries.filter((entry) => !entry.startsWith('*.')).map((entry) => hostNameOf(entry) ?? entry));
  const suffixes = entries.filter((entry) => entry.startsWith('*.')).map((entry) => entry.slice(1));
  return (name) => exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
}

/**
 * Refuses (403 `forbidden_host`) requests whose `Host` is neither loopback nor allowed, when the server has no
 * API keys. With keys every request needs one anyway, so a rebinding page gains nothing. Requests without a
 * `Host` (HTTP/1.0 tools) are not browsers' and pass. The editor's pages get the same refusal as plain text.
 */
export function hostGuard(options: { apiKeys: readonly string[]; allowedHosts: readonly string[] }) {
  const isAllowed = hostMatcher(options.allowedHosts);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.apiKeys.length > 0) return next();
    const header = req.headers.host;
    if (header === undefined) return next();
    const name = hostNameOf(header);
    if (name !== undefined && (isLoopbackName(name) || isAllowed(name))) return next();
    const shown = JSON.stringify(header.slice(0, 100));
    const message =
      `this server has no API keys, so it answers only requests addressed to localhost or a configured host, not Host ${shown}; ` +
      'add the name to STORYLOOM_ALLOWED_HOSTS (or set STORYLOOM_API_KEYS) to serve it';
    if (req.path.startsWith('/api/') || req.path === '/api') return sendError(res, new HttpError(403, 'forbidden_host', message));
    res.status(403).type('text/plain; charset=utf-8').send(`Forbidden: ${message}\n`);
  };
}
