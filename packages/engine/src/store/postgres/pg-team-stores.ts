// Users (roles, hashed API tokens) and the audit list in PostgreSQL; rows read the same as in SQLite.
import type { UserRole } from '../../contract/actor';
import { auditFromRow, type AuditRow, auditValues } from '../audit-store';
import type { AuditEntry, AuditRepository, NewAuditEntry, UserRecord, UserRepository } from '../contract';
import { nowIso } from '../database';
import { duplicateUser, userFromRow, type UserRow } from '../user-store';
import { changed, firstRow, type Queryable, rowsOf } from './queryable';

/** PostgreSQL's unique_violation: another process added an active user of that name first. */
const UNIQUE_VIOLATION = '23505';

export class PgUserStore implements UserRepository {
  constructor(private readonly db: Queryable) {}

  async add(user: { id: string; name: string; role: UserRole }): Promise<UserRecord> {
    const at = nowIso();
    try {
      await this.db.query('INSERT INTO users (id, name, role, created_at) VALUES ($1, $2, $3, $4)', [user.id, user.name, user.role, at]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw duplicateUser(user.name);
      throw error;
    }
    return { ...user, createdAt: at };
  }

  async list(): Promise<UserRecord[]> {
    return (await rowsOf<UserRow>(this.db, 'SELECT * FROM users ORDER BY created_at, id')).map(userFromRow);
  }

  async find(nameOrId: string): Promise<UserRecord | undefined> {
    const row = await firstRow<UserRow>(
      this.db,
      'SELECT * FROM users WHERE revoked_at IS NULL AND (name = $1 OR id = $1) ORDER BY (name = $1) DESC LIMIT 1',
      [nameOrId],
    );
    return row && userFromRow(row);
  }

  revoke(name: string): Promise<boolean> {
    return changed(this.db, 'UPDATE users SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL', [nowIso(), name]);
  }

  async addToken(userId: string, tokenHash: string): Promise<void> {
    await this.db.query('INSERT INTO user_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)', [tokenHash, userId, nowIso()]);
  }

  async byTokenHash(tokenHash: string): Promise<UserRecord | undefined> {
    const row = await firstRow<UserRow>(
      this.db,
      'SELECT u.* FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND u.revoked_at IS NULL',
      [tokenHash],
    );
    return row && userFromRow(row);
  }

  async hasActive(): Promise<boolean> {
    return (await firstRow(this.db, 'SELECT 1 FROM users WHERE revoked_at IS NULL LIMIT 1')) !== undefined;
  }
}

export class PgAuditStore implements AuditRepository {
  constructor(private readonly db: Queryable) {}

  async record(entry: NewAuditEntry): Promise<void> {
    await this.db.query('INSERT INTO audit_log (at, action, actor, pipeline_id, run_id, node_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', auditValues(entry));
  }

  async list(filter: { pipelineId?: string; runId?: string }): Promise<AuditEntry[]> {
    const rows = await rowsOf<AuditRow>(
      this.db,
      'SELECT * FROM audit_log WHERE ($1::text IS NULL OR pipeline_id = $1) AND ($2::text IS NULL OR run_id = $2) ORDER BY seq',
      [filter.pipelineId ?? null, filter.runId ?? null],
    );
    return rows.map(auditFromRow);
  }
}
