// A server that is already up keeps taking over runs whose driver is gone (a 1 s lease, so a scan every
// 200 ms): a run whose holder's process died is taken at once, not at its lease's expiry; a run whose holder
// is alive is left alone until its lease expires, then taken (and a cancel asked meanwhile is carried out);
// a run left queued by a process that died before driving it is taken once it has been left alone for a
// lease's length. Closing the server stops the scans.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { openStoryloom, processStartTime, type Storyloom } from '@storyloom/engine/node';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

const LEASE_MS = 1_000;

let server: TestServer;
let other: Storyloom;

beforeEach(async () => {
  server = await startTestServer({ env: { STORYLOOM_LEASE_TTL_MS: String(LEASE_MS) } });
  other = await openStoryloom({ dbPath: server.dbPath, ownerId: 'other-process' });
});
afterEach(async () => {
  await other.close();
  await server.stop();
});

/** Marks `runId` as running under a lease of another process (what its claim and first write leave behind). */
function leaveRunning(runId: string, holder: { pid: number; started?: string; expiresAt: number }): void {
  const db = new Database(server.dbPath);
  try {
    db.prepare(
      "UPDATE runs SET status = 'running', lease_owner = 'other-process', lease_host = ?, lease_pid = ?, lease_started = ?, lease_expires = ? WHERE id = ?",
    ).run(hostname(), holder.pid, holder.started ?? null, holder.expiresAt, runId);
  } finally {
    db.close();
  }
}

test('a run whose holder died while the server is up is taken over at once, not at its lease expiry', async () => {
  const run = await other.startRun({ pipeline: screenplayPipeline({ id: 'holder-died' }), inputs: { premise: PREMISE } });
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  leaveRunning(run.id, { pid: dead, expiresAt: Date.now() + 120_000 });
  const done = await waitForRun(server, run.id, isStatus('completed', 'failed'), 60_000);
  expect(done.status).toBe('completed');
});

test('a run whose holder is alive is left alone until its lease expires, then taken over', async () => {
  const run = await other.startRun({ pipeline: screenplayPipeline({ id: 'holder-alive' }), inputs: { premise: PREMISE } });
  // This very process holds it (alive, same start time), as a driver that stopped renewing would.
  const expiresAt = Date.now() + 2 * LEASE_MS;
  leaveRunning(run.id, { pid: process.pid, started: processStartTime(), expiresAt });
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS)); // five scans while the lease is live
  expect(await other.events(run.id)).toEqual([]);
  expect((await other.getRun(run.id))!.status).toBe('running');

  const done = await waitForRun(server, run.id, isStatus('completed', 'failed'), 60_000);
  expect(done.status).toBe('completed');
  const firstEvent = (await other.events(run.id))[0];
  expect(firstEvent.type).toBe('run.started');
  expect(Date.parse(firstEvent.at)).toBeGreaterThanOrEqual(expiresAt);
});

test('a cancel asked while the holder had stopped renewing is carried out by the server once it takes the run', async () => {
  const run = await other.startRun({ pipeline: screenplayPipeline({ id: 'cancel-while-stalled', latencyMs: 200 }), inputs: { premise: PREMISE } });
  leaveRunning(run.id, { pid: process.pid, started: processStartTime(), expiresAt: Date.now() + LEASE_MS });
  expect((await other.cancel(run.id)).status).toBe('running'); // driven, as far as anyone can tell: the driver is asked to stop
  const done = await waitForRun(server, run.id, isStatus('completed', 'failed', 'cancelled'), 60_000);
  expect(done.status).toBe('cancelled');
  expect((await other.events(run.id)).map((event) => event.type)).toContain('run.cancelled');
});

test('a run left queued by a process that died before driving it is taken once left alone for a lease', async () => {
  const run = await other.startRun({ pipeline: screenplayPipeline({ id: 'left-queued' }), inputs: { premise: PREMISE } });
  const queuedAt = Date.parse(run.updatedAt);
  const done = await waitForRun(server, run.id, isStatus('completed', 'failed'), 60_000);
  expect(done.status).toBe('completed');
  expect(Date.parse((await other.events(run.id))[0].at) - queuedAt).toBeGreaterThanOrEqual(LEASE_MS);
});

test('closing the server stops its scans', async () => {
  const scans = jest.spyOn(server.storyloom, 'orphanedRunRefs');
  await new Promise((resolve) => setTimeout(resolve, 3 * (LEASE_MS / 5)));
  expect(scans.mock.calls.length).toBeGreaterThan(0);
  await server.close();
  const afterClose = scans.mock.calls.length;
  await new Promise((resolve) => setTimeout(resolve, 3 * (LEASE_MS / 5)));
  expect(scans.mock.calls.length).toBe(afterClose);
  expect(await server.recovery.scan(0)).toEqual([]);
});
