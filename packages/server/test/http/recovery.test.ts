// What a starting server picks up from the database: queued runs, and waiting runs whose approvals were all
// decided but never driven on (a process that stopped between the decision and the drive).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStoryloom } from '@storyloom/engine/node';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, waitForRun } from './support';

test('queued runs and decided-but-not-continued runs are driven to completion when the server starts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-recovery-'));
  const storyloom = await openStoryloom({ dbPath: path.join(dir, 'storyloom.db') });
  const queued = await storyloom.startRun({ pipeline: screenplayPipeline({ id: 'left-queued' }), inputs: { premise: PREMISE } });
  const decided = await storyloom.startRun({ pipeline: screenplayPipeline({ id: 'left-decided', approval: true }), inputs: { premise: PREMISE } });
  expect((await storyloom.drive(decided.id)).status).toBe('waiting');
  await storyloom.decide(decided.id, 'cast', { decision: 'approve' });
  const stillWaiting = await storyloom.startRun({ pipeline: screenplayPipeline({ id: 'left-waiting', approval: true }), inputs: { premise: PREMISE } });
  expect((await storyloom.drive(stillWaiting.id)).status).toBe('waiting');
  await storyloom.close();

  const server = await startTestServer({ dir });
  try {
    expect((await waitForRun(server, queued.id, isStatus('completed', 'failed'))).status).toBe('completed');
    expect((await waitForRun(server, decided.id, isStatus('completed', 'failed'))).status).toBe('completed');
    const waiting = (await server.call('GET', `/api/runs/${stillWaiting.id}`)).body;
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending.map((entry: { nodeId: string }) => entry.nodeId)).toEqual(['cast']);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
