// A short PostgreSQL outage, in one process, on a cluster of this test's own: while the database is down for a
// couple of seconds, reads through the HTTP API and the stores keep answering (they wait for it), and a drive
// whose checkpoint write the outage cuts off mid-statement completes without handing its run back (that write
// is run again; the writes behind it wait for the database). A database that stays down gets a clear error: 503
// `database_unreachable` from the API, a DatabaseUnreachableError from the engine, once the retry window is spent.
import { DatabaseUnreachableError, OUTAGE_WINDOW_MS, openStoryloom, type RunView, type Storyloom } from '@storyloom/engine/node';
import pg from 'pg';
import { PREMISE, screenplayPipeline, startTestServer, type TestServer } from '../packages/server/test/http/support';
import { pgBinariesPresent, PG_BIN, type PgCluster, startPgCluster } from './support/pg-cluster';

const DATABASE = 'storyloom';
/** How long the database stays down in the first test: well inside the retry window. */
const OUTAGE_MS = 2_000;
/** Each model call of the run: some finish while the database is down. */
const MODEL_LATENCY_MS = 300;

const present = pgBinariesPresent();
if (!present) console.warn(`postgres-outage: skipped, no initdb/pg_ctl in ${PG_BIN} (set STORYLOOM_TEST_PG_BIN)`);

let cluster: PgCluster;
let server: TestServer;
let storyloom: Storyloom;

beforeAll(async () => {
  if (!present) return;
  cluster = await startPgCluster();
  await cluster.createDatabase(DATABASE);
  server = await startTestServer({ databaseUrl: cluster.url(DATABASE) });
  storyloom = await openStoryloom({ databaseUrl: cluster.url(DATABASE), ownerId: 'outage-test' });
}, 60_000);

afterAll(async () => {
  if (!present) return;
  await storyloom?.close();
  await server?.stop();
  await cluster?.destroy();
});

interface Read {
  what: string;
  startedAt: number;
  endedAt: number;
  failure?: string;
}

/**
 * Reads through the API and the engine's stores, one after another, until `stop()`; `readEachOnce()` adds one
 * of each at once (a read begun while the database is down). Every read is recorded.
 */
function keepReading(runId: string): { reads: Read[]; readEachOnce: () => Promise<void>; stop: () => Promise<void> } {
  const reads: Read[] = [];
  let reading = true;
  const api = (pathname: string) => async () => {
    const { status, body } = await server.call('GET', pathname);
    return status === 200 ? undefined : `${status}: ${JSON.stringify(body)}`;
  };
  const engine = (read: () => Promise<unknown>) => async () => {
    await read();
    return undefined;
  };
  const readers: Array<[string, () => Promise<string | undefined>]> = [
    ['GET /api/runs', api('/api/runs')],
    [`GET /api/runs/${runId}`, api(`/api/runs/${runId}`)],
    ['GET /api/approvals', api('/api/approvals')],
    ['storyloom.getRun', engine(() => storyloom.getRun(runId))],
    ['storyloom.events', engine(() => storyloom.events(runId))],
  ];
  const record = async ([what, read]: (typeof readers)[number]) => {
    const startedAt = Date.now();
    const failure = await read().catch((error: Error) => error.message);
    reads.push({ what, startedAt, endedAt: Date.now(), ...(failure ? { failure } : {}) });
  };
  const loop = (async () => {
    for (let i = 0; reading; i += 1) {
      await record(readers[i % readers.length]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    reads,
    readEachOnce: async () => void (await Promise.all(readers.map(record))),
    stop: async () => {
      reading = false;
      await loop;
    },
  };
}

/** One statement on a connection of the test's own, made for it: it must not depend on the stores' pool. */
const sql = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => cluster.query<R>(DATABASE, text, values);

/**
 * Makes the next LangGraph checkpoint write (into `checkpoints` or `checkpoint_writes`) take 1.5 s inside the
 * database once armed, so the outage can be made to cut that very write off mid-statement. Arming is one row,
 * deleted by the write that sleeps: a write that is cut off rolls the delete back, so its rerun sleeps again.
 */
async function slowNextCheckpointWrite(): Promise<{ arm: () => Promise<void>; armed: () => Promise<boolean> }> {
  await sql('CREATE TABLE outage_test_slow_write (armed boolean)');
  await sql(`CREATE FUNCTION outage_test_slow_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM outage_test_slow_write;
      IF FOUND THEN PERFORM pg_sleep(1.5); END IF;
      RETURN NEW;
    END $$`);
  for (const table of ['checkpoints', 'checkpoint_writes']) {
    await sql(`CREATE TRIGGER outage_test_slow_write BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION outage_test_slow_write()`);
  }
  return {
    arm: async () => void (await sql('INSERT INTO outage_test_slow_write VALUES (true)')),
    armed: async () => (await sql('SELECT 1 FROM outage_test_slow_write')).length > 0,
  };
}

(present ? it : it.skip)('reads and a drive ride out a database outage of a few seconds, a checkpoint write cut off by it included', async () => {
  const slowWrite = await slowNextCheckpointWrite();
  const run = await storyloom.startRun({ pipeline: screenplayPipeline({ id: 'outage', latencyMs: MODEL_LATENCY_MS, scenes: 2 }), inputs: { premise: PREMISE } });
  let firstNodeDone!: () => void;
  const firstNodeCompleted = new Promise<void>((resolve) => (firstNodeDone = resolve));
  const unsubscribe = storyloom.subscribe(run.id, (event) => event.type === 'node.completed' && firstNodeDone());
  const reading = keepReading(run.id);
  const driven = storyloom.drive(run.id).then(
    (view: RunView) => view,
    (error: Error) => error,
  );

  // Once the run is under way, the next checkpoint write sleeps in the database: the outage begins while it
  // is in flight, so it is cut off after it was sent and must be run again (as must the writes that queue up
  // behind it, and the reads).
  let downAt = 0;
  let stoppedAt = 0;
  let upAt = 0;
  let outcome: RunView | Error;
  try {
    await firstNodeCompleted;
    await slowWrite.arm();
    const sleepingWrite = async () =>
      (await sql("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query ~ '^\\s*INSERT INTO \"public\"\\.checkpoint'")).length > 0;
    const deadline = Date.now() + 20_000;
    while (!(await sleepingWrite())) {
      if (Date.now() > deadline) throw new Error('no checkpoint write started sleeping');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    downAt = Date.now();
    await cluster.stop();
    stoppedAt = Date.now();
    const readsWhileDown = reading.readEachOnce();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await cluster.start();
    upAt = Date.now();
    await readsWhileDown;
    outcome = await driven;
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few reads after the outage too
  } finally {
    unsubscribe();
    await reading.stop();
    await driven;
  }
  expect(await slowWrite.armed()).toBe(false); // the write that was cut off ran again, and committed

  // The drive did not hand its run back: it completed in this one call.
  expect(outcome).not.toBeInstanceOf(Error);
  expect((outcome as RunView).status).toBe('completed');
  // Every read answered, including those made while the database was down.
  expect(reading.reads.filter((read) => read.failure)).toEqual([]);
  // Those begun once the database was down answered only once it was back up: they waited for it.
  const duringOutage = reading.reads.filter((read) => read.startedAt >= stoppedAt && read.startedAt < upAt);
  expect(duringOutage.length).toBeGreaterThan(0);
  expect(duringOutage.filter((read) => read.endedAt < upAt - 100)).toEqual([]);
  expect(upAt - downAt).toBeGreaterThanOrEqual(OUTAGE_MS);

  // Each node ran once: nothing was driven again from an older checkpoint.
  const stored = await storyloom.events(run.id);
  const completed = stored.filter((event) => event.type === 'node.completed').map((event) => event.nodeId);
  expect(new Set(completed).size).toBe(completed.length);
  expect(stored.filter((event) => event.type === 'node.failed' || event.type === 'node.retry')).toEqual([]);
  const view = (await storyloom.getRun(run.id))!;
  expect(Object.values(view.nodes).every((node) => node.status === 'completed')).toBe(true);
}, 60_000);

(present ? it : it.skip)('a database that stays down: 503 database_unreachable from the API, a clear error from the engine', async () => {
  const run = (await storyloom.listRuns())[0];
  await cluster.stop();
  try {
    const startedAt = Date.now();
    const [api, engine, health] = await Promise.all([
      server.call('GET', `/api/runs/${run.id}`),
      storyloom.getRun(run.id).then(
        () => undefined,
        (error: Error) => error,
      ),
      server.call('GET', '/api/health'),
    ]);
    const waited = Date.now() - startedAt;
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(api.body).toEqual({ error: { code: 'database_unreachable', message: 'the database is unreachable (restarting or down); retry shortly' } });
    expect(engine).toBeInstanceOf(DatabaseUnreachableError);
    expect((engine as DatabaseUnreachableError).outcomeUnknown).toBe(false);
    expect(engine!.message).toMatch(/^the database is unreachable: still no connection after 10 s of retrying \(.+\)$/);
    // Both waited out the window (less its last pause) before giving up; health does not wait, it reports.
    expect(waited).toBeGreaterThanOrEqual(OUTAGE_WINDOW_MS - 500);
    expect(health.status).toBe(503);
  } finally {
    await cluster.start();
  }
  expect((await server.call('GET', `/api/runs/${run.id}`)).status).toBe(200);
}, 60_000);
