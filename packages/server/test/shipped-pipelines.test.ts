// A new database is seeded with the shipped example pipelines (the repository's pipelines/ folder) on the first
// start of the server, once: a deleted example stays deleted, a pipeline saved under an example's id is kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../src/server';
import { DEFAULT_PIPELINES_DIR } from '../src/shipped-pipelines';

const shippedIds = fs
  .readdirSync(DEFAULT_PIPELINES_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => (JSON.parse(fs.readFileSync(path.join(DEFAULT_PIPELINES_DIR, name), 'utf8')) as { id: string }).id)
  .sort();

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-shipped-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts the server on `dir`'s database, hands it to `use`, and closes it; logged errors are collected. */
async function withServer(
  options: { env?: NodeJS.ProcessEnv; pipelinesDir?: string | null },
  use: (server: RunningServer, logged: string[]) => Promise<void>,
): Promise<void> {
  const logged: string[] = [];
  const server = await startServer({
    port: 0,
    dbPath: path.join(dir, 'storyloom.db'),
    env: options.env ?? {},
    pipelinesDir: options.pipelinesDir,
    overrides: { editorDir: path.join(dir, 'no-editor'), logError: (label, error) => logged.push(`${label}: ${(error as Error).message}`) },
  });
  try {
    await use(server, logged);
  } finally {
    await server.close();
  }
}

const listIds = async (server: RunningServer) =>
  ((await (await fetch(`${server.url}/api/pipelines`)).json()) as Array<{ id: string }>).map((p) => p.id).sort();

test('the repository ships the 4 example pipelines', () => {
  expect(shippedIds).toEqual(['custom-prompt', 'screenplay-with-approvals', 'short-screenplay', 'short-story']);
});

test('a fresh database lists the shipped pipelines; a deleted one stays deleted after a restart', async () => {
  await withServer({}, async (server, logged) => {
    expect(await listIds(server)).toEqual(shippedIds);
    expect(logged).toEqual([]);
    const one = (await (await fetch(`${server.url}/api/pipelines/short-screenplay`)).json()) as { version: number; valid: boolean };
    expect(one).toMatchObject({ version: 1 });
    expect((await fetch(`${server.url}/api/pipelines/short-screenplay`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect(await listIds(server)).toEqual(shippedIds.filter((id) => id !== 'short-screenplay'));
  });
  await withServer({}, async (server) => {
    expect(await listIds(server)).toEqual(shippedIds.filter((id) => id !== 'short-screenplay'));
    // Seeded once: nothing was saved again, so the others are still at version 1.
    const story = (await (await fetch(`${server.url}/api/pipelines/short-story`)).json()) as { version: number };
    expect(story.version).toBe(1);
  });
});

test('STORYLOOM_PIPELINES_DIR chooses the folder; an invalid or unreadable example is logged and skipped, not fatal', async () => {
  const examples = path.join(dir, 'examples');
  fs.mkdirSync(examples);
  fs.copyFileSync(path.join(DEFAULT_PIPELINES_DIR, 'short-story.json'), path.join(examples, 'a.json'));
  fs.writeFileSync(path.join(examples, 'b.json'), JSON.stringify({ format: 'storyloom/pipeline@1', id: 'broken', name: 'Broken', nodes: [{ id: 'x', type: 'nope' }], edges: [] }));
  fs.writeFileSync(path.join(examples, 'c.json'), '{ not json');
  fs.writeFileSync(path.join(examples, 'notes.txt'), 'not a pipeline');
  await withServer({ env: { STORYLOOM_PIPELINES_DIR: examples } }, async (server, logged) => {
    expect(await listIds(server)).toEqual(['short-story']);
    expect(logged).toHaveLength(2);
    expect(logged.join('\n')).toMatch(/b\.json.*nope/s);
    expect(logged.join('\n')).toMatch(/c\.json/);
  });
});

test('an example whose id is already saved is left as the user saved it', async () => {
  // First start seeds nothing (null), the user saves their own 'short-story'; seeding later keeps theirs.
  const mine = { ...JSON.parse(fs.readFileSync(path.join(DEFAULT_PIPELINES_DIR, 'short-story.json'), 'utf8')), name: 'My own short story' };
  await withServer({ pipelinesDir: null }, async (server) => {
    expect(await listIds(server)).toEqual([]);
    const created = await fetch(`${server.url}/api/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(mine) });
    expect(created.status).toBe(201);
  });
  await withServer({}, async (server) => {
    expect(await listIds(server)).toEqual(shippedIds);
    const story = (await (await fetch(`${server.url}/api/pipelines/short-story`)).json()) as { version: number; pipeline: { name: string } };
    expect(story).toMatchObject({ version: 1, pipeline: { name: 'My own short story' } });
  });
});
