// Facts about the database itself, as string key → string value (e.g. when the shipped pipelines were seeded).
import { statement, type SqliteDatabase } from './database';

export class MetaStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(key: string): string | undefined {
    const row = statement(this.db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    statement(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
