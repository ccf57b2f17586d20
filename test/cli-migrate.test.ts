// `storyloom migrate` with the real CLI: a SQLite file's pipelines (every version), completed and waiting runs
// go to a new PostgreSQL database and back to a new SQLite file, reading the same on each; the waiting run's
// checkpoint comes along, so it is decided and finished on PostgreSQL. A non-empty target is refused (exit 2).
import path from 'node:path';
import { openStoryloom, type RunView, type Storyloom } from '@storyloom/engine/node';
import { approvalPipeline, runCli, tempWorkspace, type TempWorkspace } from './support/cli';
import { createTestDatabase, type TestDatabase } from './support/postgres';

const PREMISE = 'A night ferry captain keeps a ledger of passengers who never disembark.';

let ws: TempWorkspace;
let database: TestDatabase;
const opened: Storyloom[] = [];
const open = async (location: { dbPath: string } | { databaseUrl: string }) => {
  const engine = await openStoryloom(location);
  opened.push(engine);
  return engine;
};
const closeAll = async () => {
  for (const engine of opened.splice(0)) await engine.close();
};

beforeAll(async () => {
  ws = tempWorkspace('storyloom-migrate-');
  database = await createTestDatabase();
});
afterAll(async () => {
  await closeAll();
  await database.drop();
  ws.cleanup();
});

/** What a run reads as, without the fields that name when it was read. */
const comparable = (run: RunView | undefined) => JSON.parse(JSON.stringify(run ?? null));

it('carries pipelines, versions and run history to PostgreSQL and back; a waiting run goes on there', async () => {
  const sqlite = await open({ dbPath: ws.dbPath });
  const pipeline = { ...approvalPipeline(), id: 'ferry', name: 'Ferry v1' };
  await sqlite.pipelines.create(pipeline);
  await sqlite.pipelines.save('ferry', { ...pipeline, name: 'Ferry v2' }, 1);
  const done = await sqlite.startRun({ pipeline, pipelineId: 'ferry', version: 1, inputs: { premise: PREMISE }, autoApprove: true });
  expect((await sqlite.drive(done.id)).status).toBe('completed');
  const gated = await sqlite.startRun({ pipeline, pipelineId: 'ferry', version: 2, inputs: { premise: PREMISE } });
  expect((await sqlite.drive(gated.id)).status).toBe('waiting');
  const before = { done: await sqlite.getRun(done.id), gated: await sqlite.getRun(gated.id), events: await sqlite.events(done.id) };
  await closeAll();

  const there = await runCli(['migrate', '--from', ws.dbPath, '--to', database.url]);
  expect(there.stderr).toBe('');
  expect(there.code).toBe(0);
  expect(there.stdout).toMatch(/1 pipelines \(2 versions\), 2 runs, \d+ events, \d+ outputs, \d+ approvals, [1-9]\d* checkpoints/);

  const pg = await open({ databaseUrl: database.url });
  expect((await pg.pipelines.versions('ferry')).map((version) => version.name)).toEqual(['Ferry v1', 'Ferry v2']);
  expect(comparable(await pg.getRun(done.id))).toEqual(comparable(before.done));
  expect(comparable(await pg.getRun(gated.id))).toEqual(comparable(before.gated));
  expect(await pg.events(done.id)).toEqual(before.events);
  expect((await pg.exportRun(done.id, 'fountain')).content).toMatch(/INT\.|EXT\./);

  const again = await runCli(['migrate', '--from', ws.dbPath, '--to', database.url]);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/--to: the target database already holds 1 pipelines; migrate copies into an empty database only/);

  const back = path.join(ws.dir, 'back.db');
  expect((await runCli(['migrate', '--from', database.url, '--to', back])).code).toBe(0);
  const returned = await open({ dbPath: back });
  expect(comparable(await returned.getRun(gated.id))).toEqual(comparable(before.gated));
  expect(await returned.events(done.id)).toEqual(before.events);

  // The waiting run's graph came along: decided on PostgreSQL, it finishes there without starting over.
  await pg.decide(gated.id, 'cast', { decision: 'approve' });
  const next = await pg.drive(gated.id);
  expect(next.status).toBe('waiting');
  expect(next.pending.map((entry) => entry.nodeId)).toEqual(['beats']);
  const started = (await pg.events(gated.id)).filter((event) => event.type === 'node.started').map((event) => event.nodeId);
  expect(started.filter((id) => id === 'logline' || id === 'cast')).toEqual(['logline', 'cast']); // each ran once, on SQLite
}, 120_000);

it('refuses a missing source and the same database on both sides, changing nothing', async () => {
  const missing = await runCli(['migrate', '--from', path.join(ws.dir, 'nope.db'), '--to', path.join(ws.dir, 'x.db')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--from: no SQLite database at .*nope\.db/);
  const same = await runCli(['migrate', '--from', ws.dbPath, '--to', ws.dbPath]);
  expect(same.code).toBe(2);
  expect(same.stderr).toMatch(/name the same database/);
  const neither = await runCli(['migrate', '--from', ws.dbPath]);
  expect(neither.code).toBe(2);
});

it('carries users (their tokens still work) and the audit list; the new database numbers its next entries after the copied ones', async () => {
  const source = path.join(ws.dir, 'teams.db');
  const target = await createTestDatabase();
  try {
    const sqlite = await open({ dbPath: source });
    const { user, token } = await sqlite.addUser('rita', 'reviewer');
    const actor = { id: user.id, name: user.name, role: user.role };
    const pipeline = { ...approvalPipeline(), id: 'audited' };
    await sqlite.pipelines.create(pipeline);
    await sqlite.recordAudit({ action: 'pipeline.created', actor, pipelineId: 'audited', detail: { version: 1 } });
    const run = await sqlite.startRun({ pipeline, pipelineId: 'audited', version: 1, inputs: { premise: PREMISE }, startedBy: actor });
    const before = await sqlite.audit({ pipelineId: 'audited' });
    expect(before.map((entry) => entry.action)).toEqual(['pipeline.created', 'run.started']);
    await closeAll();

    const moved = await runCli(['migrate', '--from', source, '--to', target.url]);
    expect([moved.code, moved.stderr]).toEqual([0, '']);

    const pg = await open({ databaseUrl: target.url });
    expect((await pg.userForToken(token))?.name).toBe('rita');
    expect(await pg.audit({ pipelineId: 'audited' })).toEqual(before);
    expect((await pg.getRun(run.id))?.startedBy).toEqual(actor);
    await pg.cancel(run.id, actor);
    const after = await pg.audit({ runId: run.id });
    expect(after.map((entry) => entry.action)).toEqual(['run.started', 'run.cancelled']);
    expect(after[1].seq).toBeGreaterThan(Math.max(...before.map((entry) => entry.seq)));
  } finally {
    await closeAll();
    await target.drop();
  }
}, 120_000);
