// Secrets that arrive in URLs (`?access_token=` for EventSource clients, passwords in database and Redis URLs) are
// masked before any text is logged or printed.

/** Masks the value of every `access_token` query parameter in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(/([?&;]access_token=)[^&#\s'"]*/gi, '$1[redacted]');
}

/** `text` (a service URL) with its password masked; `fallback` when it does not parse as a URL. */
export function withoutPassword(text: string, fallback: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return fallback;
  }
}
