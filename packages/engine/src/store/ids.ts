// Ids for rows created by request (webhooks, deliveries, comments): a prefix, the time in base 36 and a
// counter, so ids sort in creation order within a process, then random bits so processes never collide.
import { randomBytes } from 'node:crypto';

let counter = 0;

export function newId(prefix: string): string {
  counter = (counter + 1) % 36 ** 4;
  return `${prefix}-${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}-${randomBytes(5).toString('hex')}`;
}
