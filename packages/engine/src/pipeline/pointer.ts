// JSON pointers (RFC 6901): every validation problem names the place in the document it is about.

/** Escapes one path segment (`~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `['nodes', 2, 'config', 'count']` → `/nodes/2/config/count`; the empty path is the whole document, `''`. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${escapePointer(String(segment))}`).join('');
}
