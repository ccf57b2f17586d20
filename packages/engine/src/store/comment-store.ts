// Review comment threads in SQLite: one row per comment; a thread's first comment carries the thread (node,
// attempt, anchor, status) and its replies point at it.
import type { Actor } from '../contract/actor';
import type { CommentStatus, CommentThread } from '../comments/types';
import { actorColumn, type CommentRow, threadsOf } from './collab-rows';
import type { NewComment, NewCommentThread } from './contract';
import { nowIso, type SqliteDatabase, statement } from './database';

export class CommentStore {
  constructor(private readonly db: SqliteDatabase) {}

  createThread(thread: NewCommentThread): void {
    statement(
      this.db,
      `INSERT INTO comments (id, thread_id, run_id, node_id, attempt, scene, field, status, body, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
    ).run(thread.id, thread.id, thread.runId, thread.nodeId, thread.attempt ?? null, thread.scene ?? null, thread.field ?? null, thread.body, actorColumn(thread.author), nowIso());
  }

  reply(runId: string, threadId: string, comment: NewComment): boolean {
    return (
      statement(
        this.db,
        `INSERT INTO comments (id, thread_id, run_id, node_id, body, author, created_at)
         SELECT ?, id, run_id, node_id, ?, ?, ? FROM comments WHERE id = ? AND thread_id = id AND run_id = ?`,
      ).run(comment.id, comment.body, actorColumn(comment.author), nowIso(), threadId, runId).changes > 0
    );
  }

  setStatus(runId: string, threadId: string, status: CommentStatus, actor?: Actor): boolean {
    const resolved = status === 'resolved';
    return (
      statement(this.db, 'UPDATE comments SET status = ?, resolved_at = ?, resolved_by = ? WHERE id = ? AND thread_id = id AND run_id = ?').run(
        status,
        resolved ? nowIso() : null,
        resolved ? actorColumn(actor) : null,
        threadId,
        runId,
      ).changes > 0
    );
  }

  list(runId: string, filter: { nodeId?: string; status?: CommentStatus } = {}): CommentThread[] {
    const rows = statement(this.db, 'SELECT * FROM comments WHERE run_id = ? AND (? IS NULL OR node_id = ?) ORDER BY created_at, id').all(
      runId,
      filter.nodeId ?? null,
      filter.nodeId ?? null,
    ) as CommentRow[];
    return threadsOf(rows).filter((thread) => filter.status === undefined || thread.status === filter.status);
  }
}
