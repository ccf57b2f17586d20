// Secrets that arrive in URLs (`?access_token=` for EventSource clients) are masked before any text is logged.

/** Masks the value of every `access_token` query parameter in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(/([?&;]access_token=)[^&#\s'"]*/gi, '$1[redacted]');
}
