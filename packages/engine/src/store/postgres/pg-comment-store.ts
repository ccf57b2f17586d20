// Review comment threads in PostgreSQL, in the same rows as the SQLite store (a thread's first comment
// carries the thread; replies point at it).
import type { Actor } from '../../contract/actor';
import type { CommentStatus, CommentThread } from '../../comments/types';
import { actorColumn, type CommentRow, threadsOf } from '../collab-rows';
import type { CommentRepository, NewComment, NewCommentThread } from '../contract';
import { nowIso } from '../database';
import { changed, type Queryable, rowsOf } from './queryable';

export class PgCommentStore implements CommentRepository {
  constructor(private readonly db: Queryable) {}

  async createThread(thread: NewCommentThread): Promise<void> {
    await this.db.query(
      `INSERT INTO comments (id, thread_id, run_id, node_id, attempt, scene, field, status, body, author, created_at)
       VALUES ($1, $1, $2, $3, $4, $5, $6, 'open', $7, $8, $9)`,
      [thread.id, thread.runId, thread.nodeId, thread.attempt ?? null, thread.scene ?? null, thread.field ?? null, thread.body, actorColumn(thread.author), nowIso()],
    );
  }

  async reply(runId: string, threadId: string, comment: NewComment): Promise<boolean> {
    return changed(
      this.db,
      `INSERT INTO comments (id, thread_id, run_id, node_id, body, author, created_at)
       SELECT $1, id, run_id, node_id, $2, $3, $4 FROM comments WHERE id = $5 AND thread_id = id AND run_id = $6`,
      [comment.id, comment.body, actorColumn(comment.author), nowIso(), threadId, runId],
    );
  }

  async setStatus(runId: string, threadId: string, status: CommentStatus, actor?: Actor): Promise<boolean> {
    const resolved = status === 'resolved';
    return changed(this.db, 'UPDATE comments SET status = $1, resolved_at = $2, resolved_by = $3 WHERE id = $4 AND thread_id = id AND run_id = $5', [
      status,
      resolved ? nowIso() : null,
      resolved ? actorColumn(actor) : null,
      threadId,
      runId,
    ]);
  }

  async list(runId: string, filter: { nodeId?: string; status?: CommentStatus } = {}): Promise<CommentThread[]> {
    const rows = await rowsOf<CommentRow>(this.db, 'SELECT * FROM comments WHERE run_id = $1 AND ($2::text IS NULL OR node_id = $2) ORDER BY created_at, id', [
      runId,
      filter.nodeId ?? null,
    ]);
    return threadsOf(rows).filter((thread) => filter.status === undefined || thread.status === filter.status);
  }
}
