// JSON pointers (RFC 6901) over draft values: the address of each form field, of each validation problem
// and of each change between two drafts. Updates are immutable so React sees every edit.

export type PathKey = string | number;

export function pointerOf(path: readonly PathKey[]): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function valueAt(value: unknown, path: readonly PathKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key as string];
  }
  return current;
}

/** A copy of `root` with the value at `path` replaced (undefined removes an object key). */
export function setAt(root: unknown, path: readonly PathKey[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [key, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[key as number] = setAt(root[key as number], rest, next);
    return copy;
  }
  const base = root !== null && typeof root === 'object' ? (root as Record<string, unknown>) : {};
  const child = setAt(base[key as string], rest, next);
  const copy = { ...base };
  if (child === undefined) delete copy[key as string];
  else copy[key as string] = child;
  return copy;
}
