// The same recovery on a shared PostgreSQL database (a 1 s lease, so a scan every 200 ms): the holder's start
// time is stored there too, so a run whose holder died is taken at the next scan and one whose holder lives is
// left alone until its lease expires; and a run another server queued is not snatched at start (that server
// may be about to drive it), only once it has been left alone for a lease's length.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import pg from 'pg';
import { openStoryloom, processStartTime, type Storyloom } from '@storyloom/engine/node';
import { type RunningServer, startServer } from '../../src/server';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { PREMISE, screenplayPipeline } from './support';

const LEASE_MS = 1_000;

let database: TestDatabase;
let other: Storyloom;
let server: RunningServer | undefined;

beforeEach(async () => {
  database = await createTestDatabase();
  other = await openStoryloom({ databaseUrl: database.url, ownerId: 'other-process' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await other.close();
  await database.drop();
});

const serve = (leaseMs = LEASE_MS) =>
  startServer({ port: 0, host: '127.0.0.1', databaseUrl: database.url, env: { STORYLOOM_LEASE_TTL_MS: String(leaseMs) }, pipelinesDir: null });

/** Marks `runId` as running under a lease of another process (what its claim and first write leave behind). */
async function leaveRunning(runId: string, holder: { pid: number; started?: string; expiresAt: number }): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(
      "UPDATE runs SET status = 'running', lease_owner = 'other-process', lease_host = $1, lease_pid = $2, lease_started = $3, lease_expires = $4, lease_epoch = lease_epoch + 1 WHERE id = $5",
      [hostname(), holder.pid, holder.started ?? null, holder.expiresAt, runId],
    );
  } finally {
    await client.end();
  }
}

async function settled(runId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await other.getRun(runId))!;
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a dead holder, or a pid now used by another process, loses its run at the next scan; a live one keeps it until expiry', async () => {
  server = await serve();
  const deadRun = await other.startRun({ pipeline: screenplayPipeline({ id: 'pg-holder-died' }), inputs: { premise: PREMISE } });
  const liveRun = await other.startRun({ pipeline: screenplayPipeline({ id: 'pg-holder-alive' }), inputs: { premise: PREMISE } });
  const reusedRun = await other.startRun({ pipeline: screenplayPipeline({ id: 'pg-pid-reused' }), inputs: { premise: PREMISE } });
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const liveUntil = Date.now() + 3 * LEASE_MS;
  const deadUntil = Date.now() + 120_000;
  await leaveRunning(deadRun.id, { pid: dead, expiresAt: deadUntil });
  await leaveRunning(liveRun.id, { pid: process.pid, started: processStartTime(), expiresAt: liveUntil });
  // A live pid whose recorded start time is not its process's: the holder was an earlier process with that pid.
  await leaveRunning(reusedRun.id, { pid: process.pid, started: String(Number(processStartTime()) - 1), expiresAt: deadUntil });

  for (const run of [deadRun, reusedRun]) {
    expect((await settled(run.id)).status).toBe('completed');
    // Taken at a scan, long before its lease's expiry (a scan is every 200 ms; the margin is for a loaded machine).
    expect(Date.parse((await other.events(run.id))[0].at)).toBeLessThan(deadUntil - 100_000);
  }

  expect((await settled(liveRun.id)).status).toBe('completed');
  const firstEvent = (await other.events(liveRun.id))[0];
  expect(firstEvent.type).toBe('run.started');
  expect(Date.parse(firstEvent.at)).toBeGreaterThanOrEqual(liveUntil);
});

test('a run queued before the server started is taken only once left alone for a lease, not at start', async () => {
  const leaseMs = 4 * LEASE_MS; // longer than a server takes to start here, so the first scan comes before it
  const run = await other.startRun({ pipeline: screenplayPipeline({ id: 'pg-left-queued' }), inputs: { premise: PREMISE } });
  server = await serve(leaseMs);
  const done = await settled(run.id);
  expect(done.status).toBe('completed');
  expect(Date.parse((await other.events(run.id))[0].at) - Date.parse(run.updatedAt)).toBeGreaterThanOrEqual(leaseMs);
});
