// Watching for commits by other connections: two real connections to one SQLite file, as a server and a CLI
// have. Listeners hear of the other connection's commits, not of their own, and nothing at all while idle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/store/database';
import { ForeignWriteWatcher } from '../../src/store/foreign-writes';
import { openStoryloom } from '../../src/node';
import { promptPipeline } from '../runner/support/helpers';

const TICK_MS = 20;
const ticks = (count: number) => new Promise((resolve) => setTimeout(resolve, TICK_MS * count + 10));

let dir: string;
let ours: SqliteDatabase;
let theirs: SqliteDatabase;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-foreign-'));
  ours = openDatabase(path.join(dir, 'shared.db'));
  theirs = openDatabase(path.join(dir, 'shared.db'));
  for (const db of [ours, theirs]) db.exec('CREATE TABLE IF NOT EXISTS notes (text TEXT)');
});
afterEach(() => {
  ours?.close();
  theirs?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a listener hears once on joining, then only of commits by another connection', async () => {
  const watcher = new ForeignWriteWatcher(ours, TICK_MS);
  let calls = 0;
  const stop = watcher.watch(() => (calls += 1));
  await ticks(3);
  expect(calls).toBe(1); // the catch-up call for a new listener; nothing was written since

  ours.prepare('INSERT INTO notes VALUES (?)').run('our own');
  await ticks(3);
  expect(calls).toBe(1);

  theirs.prepare('INSERT INTO notes VALUES (?)').run('from another process');
  await ticks(3);
  expect(calls).toBe(2);

  stop();
  theirs.prepare('INSERT INTO notes VALUES (?)').run('after stopping');
  await ticks(3);
  expect(calls).toBe(2);
});

test('a subscriber receives events another connection appends to the run it follows', async () => {
  const dbPath = path.join(dir, 'engine.db');
  const server = await openStoryloom({ dbPath, env: {} });
  const cli = await openStoryloom({ dbPath, env: {} });
  try {
    // Two prompt nodes in a chain on the offline model: a short run with several events.
    const pipeline = promptPipeline(['a>b']);
    const run = await cli.startRun({ pipeline, inputs: { premise: 'A clockmaker hears time stop.' } });
    const seen: string[] = [];
    const seqs: number[] = [];
    const unsubscribe = server.subscribe(run.id, (event) => {
      seen.push(event.type);
      seqs.push(event.seq);
    }, 0);
    await cli.drive(run.id); // written by the other connection only
    const deadline = Date.now() + 10_000;
    while (!seen.includes('run.completed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    unsubscribe();
    expect(seen[0]).toBe('run.started');
    expect(seen).toEqual(expect.arrayContaining(['node.started', 'node.completed', 'run.completed']));
    // Each event once, in order, none missing.
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(seqs.length).toBe((await cli.events(run.id)).length);
  } finally {
    await server.close();
    await cli.close();
  }
});
