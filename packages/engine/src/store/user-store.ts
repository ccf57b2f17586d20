// People who may use a shared server, with their roles and the SHA-256 hashes of their API tokens (SQLite).
import { StoryloomError } from '../errors';
import type { UserRole } from '../contract/actor';
import type { UserRecord } from './contract';
import { nowIso, statement, type SqliteDatabase } from './database';

export interface UserRow {
  id: string;
  name: string;
  role: UserRole;
  created_at: string;
  revoked_at: string | null;
}

export function userFromRow(row: UserRow): UserRecord {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}) };
}

export function duplicateUser(name: string): StoryloomError {
  return new StoryloomError('conflict', `a user named '${name}' already exists; revoke it first or choose another name`);
}

export class UserStore {
  constructor(private readonly db: SqliteDatabase) {}

  add(user: { id: string; name: string; role: UserRole }): UserRecord {
    if (this.find(user.name)) throw duplicateUser(user.name);
    const at = nowIso();
    statement(this.db, 'INSERT INTO users (id, name, role, created_at) VALUES (?, ?, ?, ?)').run(user.id, user.name, user.role, at);
    return { ...user, createdAt: at };
  }

  list(): UserRecord[] {
    return (statement(this.db, 'SELECT * FROM users ORDER BY created_at, id').all() as UserRow[]).map(userFromRow);
  }

  find(nameOrId: string): UserRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM users WHERE revoked_at IS NULL AND (name = ? OR id = ?) ORDER BY name = ? DESC LIMIT 1').get(
      nameOrId,
      nameOrId,
      nameOrId,
    ) as UserRow | undefined;
    return row && userFromRow(row);
  }

  revoke(name: string): boolean {
    return statement(this.db, 'UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(nowIso(), name).changes > 0;
  }

  addToken(userId: string, tokenHash: string): void {
    statement(this.db, 'INSERT INTO user_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)').run(tokenHash, userId, nowIso());
  }

  byTokenHash(tokenHash: string): UserRecord | undefined {
    const row = statement(this.db, 'SELECT u.* FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.revoked_at IS NULL').get(
      tokenHash,
    ) as UserRow | undefined;
    return row && userFromRow(row);
  }

  hasActive(): boolean {
    return statement(this.db, 'SELECT 1 FROM users WHERE revoked_at IS NULL LIMIT 1').get() !== undefined;
  }
}
