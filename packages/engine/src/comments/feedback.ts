// Reject feedback made from a node's open comment threads: each thread one paragraph, its place first, so the
// node's next draft knows which scene or field each note is about.
import { describeAnchor } from './anchor';
import type { CommentThread } from './types';

export function feedbackFromThreads(threads: readonly CommentThread[], extra?: string): string {
  const notes = threads.map((thread) => {
    const where = describeAnchor(thread.anchor);
    const text = thread.comments.map((comment) => comment.body.trim()).join(' / ');
    return `- ${where ? `(${where}) ` : ''}${text}`;
  });
  return [extra?.trim(), ...notes].filter((part) => part !== undefined && part !== '').join('\n');
}
