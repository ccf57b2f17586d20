// Where a shared server may send requests on a user's behalf (model base URLs, webhook targets): anywhere for
// a local single user, else only to what the operator configured, so API users cannot aim the server at
// arbitrary addresses on its network (SSRF). One rule for every kind of outgoing address.

/** `any`: no restriction; otherwise the canonical forms of the allowed values. */
export type AllowList = 'any' | { allowed: ReadonlySet<string> };

/** A comma-separated environment value as its non-empty items. */
export function listedValues(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * `restricted`: the server has several users (API keys or accounts). Values listed by the operator always
 * restrict, even on a single-user server; `configured` are allowed whenever the list restricts.
 */
export function allowListPolicy(
  listed: readonly string[],
  configured: readonly string[],
  options: { restricted: boolean },
  canonical: (value: string) => string,
): AllowList {
  if (!options.restricted && listed.length === 0) return 'any';
  return { allowed: new Set([...configured, ...listed].map(canonical)) };
}

export function isAllowed(policy: AllowList, value: string, canonical: (value: string) => string): boolean {
  return policy === 'any' || policy.allowed.has(canonical(value));
}
