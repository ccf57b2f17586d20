// A local model's JSON answer that runs out of tokens is written again under a grammar fitted to the budget,
// within one request. The run's event log marks that restart (a node.retry after the first writing's tokens),
// and the editor's live view, folding those events, shows the second writing in place of the first, not after
// it. Real engine on a real SQLite file, the tiny rambling GGUF as the model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoryloom } from '../packages/engine/src/node';
import type { RunEvent } from '../packages/engine/src/index';
import { watchedFromView, watchedRunAfter } from '../packages/editor/src/store/runEvents';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyGguf } = require('./support/tiny-gguf.js');

jest.setTimeout(120_000);

const folder = mkdtempSync(join(tmpdir(), 'storyloom-restart-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('a restarted JSON answer replaces its first writing in the live view', async () => {
  writeTinyGguf(join(folder, 'rambling.gguf'), { closeBias: -6 });
  const storyloom = await openStoryloom({ dbPath: join(folder, 'storyloom.db'), env: { STORYLOOM_MODELS_DIR: folder, STORYLOOM_LOCAL_THREADS: '1' }, maxRetries: 0 });
  let events: RunEvent[];
  try {
    const pipeline = {
      format: 'storyloom/pipeline@1' as const,
      id: 'restart',
      name: 'Restart',
      inputs: { premise: { type: 'string' as const, required: true } },
      nodes: [{ id: 'logline', type: 'logline' }],
      edges: [],
    };
    const model = { provider: 'local' as const, model: 'rambling.gguf', seed: 3, maxTokens: 160 };
    const started = await storyloom.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper hears drowned sailors in the fog.' }, model });
    const run = await storyloom.drive(started.id);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('completed');
    events = await storyloom.events(started.id);
  } finally {
    await storyloom.close();
  }

  // In the log: the first writing's tokens, the restart marker, then the second writing's tokens.
  const kinds = events.filter((event) => event.nodeId === 'logline').map((event) => event.type);
  const marker = kinds.indexOf('node.retry');
  expect(marker).toBeGreaterThan(kinds.indexOf('node.token'));
  expect(kinds.lastIndexOf('node.token')).toBeGreaterThan(marker);
  const retry = events.find((event) => event.type === 'node.retry')!;
  expect(retry.data).toMatchObject({ delayMs: 0, error: expect.stringContaining('fitted to the budget') });
  const text = (part: RunEvent[]) => part.map((event) => (event.type === 'node.token' ? event.data.text : '')).join('');
  const seq = events.indexOf(retry);
  const firstWriting = text(events.slice(0, seq));
  const secondWriting = text(events.slice(seq));
  expect(() => JSON.parse(firstWriting)).toThrow();
  expect(() => JSON.parse(secondWriting)).not.toThrow();

  // The editor's live view, folded event by event: the stream holds the second writing alone.
  let watched = watchedFromView({ id: events[0].runId, status: 'running', nodes: {}, pending: [] } as never);
  let beforeMarker = '';
  for (const event of events) {
    if (event === retry) beforeMarker = watched.streams.logline;
    watched = watchedRunAfter(watched, event);
  }
  expect(beforeMarker).toBe(firstWriting);
  expect(watched.streams.logline).toBe(secondWriting);
});
