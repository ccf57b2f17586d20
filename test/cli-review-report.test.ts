// `storyloom export --format review`: the review report of a run decided from the CLI, with the comment
// threads people left on its drafts (written here through the engine, as the server's API does).
import { openStoryloom } from '@storyloom/engine/node';
import { approvalPipeline, runCli, tempWorkspace, type TempWorkspace } from './support/cli';

let ws: TempWorkspace;
beforeAll(() => (ws = tempWorkspace()));
afterAll(() => ws.cleanup());

test('the review report lists the CLI decision and the comment threads, to stdout or a file', async () => {
  const db = ['--db', ws.dbPath];
  const started = await runCli(['run', ws.file('gated.json', approvalPipeline()), '--input', 'premise=A ferry that only sails at night', ...db]);
  expect(started.code).toBe(3);
  const runId = started.stdout.trim();
  const engine = await openStoryloom({ dbPath: ws.dbPath });
  try {
    await engine.comments.start(runId, { nodeId: 'cast', scene: 1, body: 'Scene one needs the captain.' });
    await engine.comments.start(runId, { nodeId: 'cast', field: '/characters/1/want', body: 'Sharper want.' });
  } finally {
    await engine.close();
  }
  const rejected = await runCli(['reject', runId, 'cast', '--feedback', 'Make the captain older.', ...db]);
  expect(rejected.code).toBe(3);

  const report = await runCli(['export', runId, '--format', 'review', ...db]);
  expect(report.code).toBe(0);
  expect(report.stdout).toContain(`# Review of run ${runId}`);
  expect(report.stdout).toMatch(/\*\*cast\*\* draft 1: reject by /);
  expect(report.stdout).toContain('> Make the captain older.');
  expect(report.stdout).toContain('### Scene 1 — open (draft 1)');
  expect(report.stdout).toContain('### Field /characters/1/want — open (draft 1)');
  expect(report.stdout).toContain('- Comment threads: 2 (2 open, 0 resolved)');

  const toFile = await runCli(['export', runId, '--format', 'review', '--out', 'review.md', ...db], { cwd: ws.dir });
  expect(toFile.code).toBe(0);
  expect(toFile.stderr).toContain('Wrote review.md (text/markdown');
});
