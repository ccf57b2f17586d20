// Which hosts webhooks may be sent to: the same rule as model base URLs. A local single user may name any;
// a shared server (API keys or accounts) only the hosts in STORYLOOM_WEBHOOK_HOSTS, which, when set,
// always restricts.
import { StoryloomError } from '../errors';
import { type AllowList, allowListPolicy, isAllowed, listedValues } from '../security/allow-list';

export const WEBHOOK_HOSTS_VARIABLE = 'STORYLOOM_WEBHOOK_HOSTS';

/** `host[:port]` in lower case, from a bare host or a URL. */
export function canonicalHost(value: string): string {
  const trimmed = value.trim();
  try {
    return new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`).host.toLowerCase();
  } catch {
    return trimmed.toLowerCase();
  }
}

export function webhookHostPolicy(env: Record<string, string | undefined>, options: { restricted: boolean }): AllowList {
  return allowListPolicy(listedValues(env[WEBHOOK_HOSTS_VARIABLE]), [], options, canonicalHost);
}

/** The URL, checked: http(s), no credentials in it, and a host the policy allows ('invalid_input' otherwise). */
export function checkWebhookUrl(url: string, policy: AllowList): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoryloomError('invalid_input', `url '${url}' is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StoryloomError('invalid_input', `url must be http or https, got '${parsed.protocol.replace(/:$/, '')}'`);
  }
  if (parsed.username || parsed.password) throw new StoryloomError('invalid_input', 'url must not carry a user name or password');
  if (!isAllowed(policy, parsed.host, canonicalHost)) {
    const allowed = policy === 'any' ? '' : [...policy.allowed].join(', ') || 'none';
    throw new StoryloomError(
      'invalid_input',
      `webhooks may not be sent to '${parsed.host}' on this server; allowed hosts: ${allowed} (add it to ${WEBHOOK_HOSTS_VARIABLE}, comma-separated)`,
    );
  }
  return parsed.toString();
}
