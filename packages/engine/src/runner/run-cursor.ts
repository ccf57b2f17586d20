// Cursors for paging through runs newest first: an opaque token for the last run of a page (its creation time
// and id, so runs created in the same millisecond still page in a fixed order).
import { StoryloomError } from '../errors';
import type { RunPosition } from '../store/contract';

export function encodeRunCursor(position: RunPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** The position a cursor stands for; a cursor this engine did not hand out is an `invalid_input` error. */
export function decodeRunCursor(cursor: string): RunPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return { createdAt: value[0] as string, id: value[1] as string };
    }
  } catch {
    // reported below
  }
  throw new StoryloomError('invalid_input', `cursor '${cursor.slice(0, 60)}' is not one this server handed out: pass back the cursor the previous page ended with`);
}
