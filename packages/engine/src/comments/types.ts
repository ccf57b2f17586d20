// Review comments as the API and the editor show them: threads on one node's output of a run, optionally
// anchored to a scene or to a field of the draft, open until someone resolves them. Browser-safe.
import type { Actor } from '../contract/actor';

export const COMMENT_STATUSES = ['open', 'resolved'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

/** Where in the node's output a thread points: a scene (its number) or a field (a JSON pointer), or both. */
export interface CommentAnchor {
  scene?: number;
  field?: string;
}

export interface Comment {
  id: string;
  body: string;
  author?: Actor;
  createdAt: string;
}

export interface CommentThread {
  id: string;
  runId: string;
  nodeId: string;
  /** The attempt of the node's output the thread was started on (a redraft is a later attempt). */
  attempt?: number;
  anchor?: CommentAnchor;
  status: CommentStatus;
  /** The first comment opens the thread; replies follow, oldest first. */
  comments: Comment[];
  createdAt: string;
  resolvedAt?: string;
  resolvedBy?: Actor;
}
