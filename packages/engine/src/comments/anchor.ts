// How a thread's anchor reads to people: in the review report, in reject feedback and in the editor.
import type { CommentAnchor } from './types';

export function describeAnchor(anchor: CommentAnchor | undefined): string {
  const parts: string[] = [];
  if (anchor?.scene !== undefined) parts.push(`scene ${anchor.scene}`);
  if (anchor?.field !== undefined) parts.push(`field ${anchor.field}`);
  return parts.join(', ');
}
