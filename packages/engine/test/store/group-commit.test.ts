// Transactions asked for together on the SQLite store share one commit, yet each keeps its own outcome and
// settles only once what it wrote is on disk (read back through a second connection to the same file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStores, type SqliteStores } from '../../src/store';

describe('SQLite group commit', () => {
  let dir: string;
  let stores: SqliteStores;
  let reader: Database.Database;
  /** What another connection (another process) reads for a meta key. */
  const committed = (key: string) => (reader.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storyloom-group-commit-'));
    stores = openSqliteStores(join(dir, 'db.sqlite'));
    reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
  });

  afterEach(async () => {
    reader?.close();
    await stores?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commitsDuring = async (work: () => Promise<unknown>): Promise<number> => {
    const exec = jest.spyOn(stores.db, 'exec');
    try {
      await work();
      return exec.mock.calls.filter(([sql]) => sql === 'COMMIT').length;
    } finally {
      exec.mockRestore();
    }
  };

  it('commits transactions asked for in one turn together, each settling with its own value', async () => {
    let values: number[] = [];
    const commits = await commitsDuring(async () => {
      values = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          stores.transaction(async (tx) => {
            await tx.meta.set(`branch${i}`, `answer ${i}`);
            return i;
          }),
        ),
      );
    });
    expect(values).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(commits).toBe(1);
    for (let i = 0; i < 16; i += 1) expect(committed(`branch${i}`)).toBe(`answer ${i}`);
  });

  it('commits transactions awaited one after another each on its own', async () => {
    const commits = await commitsDuring(async () => {
      for (let i = 0; i < 3; i += 1) await stores.transaction((tx) => tx.meta.set(`step${i}`, 'done'));
    });
    expect(commits).toBe(3);
    expect([0, 1, 2].map((i) => committed(`step${i}`))).toEqual(['done', 'done', 'done']);
  });

  it('settles each transaction only once another connection can read what it wrote', async () => {
    const seenAtSettle = await Promise.all(
      ['a', 'b', 'c'].map((key) => stores.transaction((tx) => tx.meta.set(key, 'written')).then(() => committed(key))),
    );
    expect(seenAtSettle).toEqual(['written', 'written', 'written']);
  });

  it('undoes a transaction that throws alone; the others in its group commit', async () => {
    const outcomes = await Promise.allSettled([
      stores.transaction((tx) => tx.meta.set('before', 'kept')),
      stores.transaction(async (tx) => {
        await tx.meta.set('failing', 'half written');
        throw new Error('the node failed');
      }),
      stores.transaction((tx) => tx.meta.set('after', 'kept')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('the node failed'));
    expect(committed('before')).toBe('kept');
    expect(committed('failing')).toBeUndefined();
    expect(committed('after')).toBe('kept');
    // The connection is usable afterwards: no transaction left open.
    expect(stores.db.inTransaction).toBe(false);
    await stores.transaction((tx) => tx.meta.set('later', 'kept'));
    expect(committed('later')).toBe('kept');
  });

  it('fails every member when the shared COMMIT fails, leaving nothing written', async () => {
    // A deferred foreign key is checked at COMMIT: one member's bad row makes the group's COMMIT fail.
    stores.db.exec('PRAGMA foreign_keys = ON');
    stores.db.exec('CREATE TABLE parent (id TEXT PRIMARY KEY)');
    stores.db.exec('CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const outcomes = await Promise.allSettled([
      stores.transaction((tx) => tx.meta.set('innocent', 'lost with the group')),
      stores.transaction(async () => void stores.db.prepare("INSERT INTO child (id, parent) VALUES ('c', 'nobody')").run()),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed('innocent')).toBeUndefined();
    expect(reader.prepare('SELECT COUNT(*) AS n FROM child').get()).toEqual({ n: 0 });
    expect(stores.db.inTransaction).toBe(false);
  });

  it('keeps reads outside transactions from seeing a group before it ends', async () => {
    const writing = stores.transaction(async (tx) => {
      await tx.meta.set('pending', 'yes');
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('changed its mind');
    });
    await new Promise((resolve) => setImmediate(resolve)); // the group has begun and holds the connection
    const read = stores.meta.get('pending');
    await expect(writing).rejects.toThrow('changed its mind');
    // The read waited for the rollback instead of seeing the open transaction's row.
    await expect(read).resolves.toBeUndefined();
  });
});
