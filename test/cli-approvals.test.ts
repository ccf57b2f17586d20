// Approvals without a terminal, decided from separate CLI processes, against an OpenAI-compatible stub
// (so the prompts the CLI's runs send can be inspected): exit 3 + run id, approve, approve --edit
// (refused when invalid, nothing changed), reject --feedback (rewritten with the feedback), completion;
// a second decision refused; cancel; rerun --from reusing upstream outputs.
import { startOpenAIStub, type OpenAIStub } from './support/openai-stub';
import { spawn } from 'node:child_process';
import { CLI_BIN, CliProcess, approvalPipeline, cliEnv, parseFountain, runCli, tempWorkspace, type TempWorkspace } from './support/cli';

interface RunJson {
  id: string;
  status: string;
  parentRunId?: string;
  nodes: Record<string, { status: string; output?: unknown }>;
  pending: Array<{ nodeId: string; draft: unknown }>;
}

let ws: TempWorkspace;
let stub: OpenAIStub;
let db: string[];
let env: Record<string, string>;
beforeAll(async () => {
  ws = tempWorkspace();
  db = ['--db', ws.dbPath];
  stub = await startOpenAIStub();
  env = { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'test-key' };
});
afterAll(async () => {
  await stub?.close();
  ws?.cleanup();
});

const PREMISE = 'premise=A night-shift radio host receives calls from a listener who describes tomorrow';
const cli = (args: string[]) => runCli([...args, ...db], { env });
const show = async (runId: string): Promise<RunJson> => {
  const result = await cli(['show', runId, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as RunJson;
};

/** The same document with its first string changed: a small, schema-valid edit. */
function editFirstString(value: unknown, suffix: string): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === 'string') {
      done = true;
      return `${v}${suffix}`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

test('approval flow across processes: approve, refused and valid edits, reject with feedback, completion', async () => {
  const file = ws.file('approvals.json', approvalPipeline());
  const started = await cli(['run', file, '--input', PREMISE, '--model', 'openai:stub-model']);
  expect(started.stderr).toMatch(/Model: openai:stub-model @ http:\/\/127\.0\.0\.1/);
  expect(started.code).toBe(3);
  const runId = started.stdout.trim();
  expect(runId).toMatch(/^\S+$/);
  expect(started.stderr).toMatch(new RegExp(`storyloom approve ${runId} cast`));
  let run = await show(runId);
  expect(run.status).toBe('waiting');
  expect(run.pending.map((p) => p.nodeId)).toEqual(['cast']);

  // approve from a separate process: the run goes on to the next gate.
  const approved = await cli(['approve', runId, 'cast']);
  expect(approved.code).toBe(3);
  expect(approved.stdout.trim()).toBe(runId);
  run = await show(runId);
  expect(run.nodes.cast.status).toBe('completed');
  expect(run.pending.map((p) => p.nodeId)).toEqual(['beats']);
  const draft = run.pending[0].draft;

  // A second decision on cast is refused.
  const again = await cli(['approve', runId, 'cast']);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/node 'cast' of run \S+ is not waiting for approval/);

  // Edits that are not JSON, or do not fit the outline schema, are refused and change nothing.
  const notJson = ws.file('not-json.json', '{ acts: ');
  const refusedJson = await cli(['approve', runId, 'beats', '--edit', notJson]);
  expect(refusedJson.code).toBe(2);
  expect(refusedJson.stderr).toMatch(/edit file '.*not-json\.json' is not valid JSON/);
  const wrongShape = ws.file('wrong-shape.json', { acts: [], mood: 'grim' });
  const refusedShape = await cli(['approve', runId, 'beats', '--edit', wrongShape]);
  expect(refusedShape.code).toBe(2);
  expect(refusedShape.stderr.length).toBeGreaterThan(0);
  run = await show(runId);
  expect(run.status).toBe('waiting');
  expect(run.pending).toEqual([{ nodeId: 'beats', draft }]);

  // Reject with feedback: the outline is written again with the feedback in its prompt, then asks again.
  const requestsBefore = stub.requests.length;
  const feedback = 'Move the climax to the radio tower during the blackout';
  const rejected = await cli(['reject', runId, 'beats', '--feedback', feedback]);
  expect(rejected.code).toBe(3);
  const rewritePrompts = stub.requests.slice(requestsBefore).map((r) => r.messages.map((m) => m.content).join('\n'));
  expect(rewritePrompts.length).toBeGreaterThan(0);
  expect(rewritePrompts.some((prompt) => prompt.includes(feedback))).toBe(true);
  run = await show(runId);
  expect(run.pending.map((p) => p.nodeId)).toEqual(['beats']);

  // A valid edit is applied and the run completes.
  const edited = editFirstString(run.pending[0].draft, ' (edited by the producer)');
  const editFile = ws.file('beats-edit.json', edited);
  const finished = await cli(['approve', runId, 'beats', '--edit', editFile, '--json']);
  expect(finished.code).toBe(0);
  run = JSON.parse(finished.stdout) as RunJson;
  expect(run.status).toBe('completed');
  expect(run.nodes.beats.output).toEqual(edited);
  expect(run).toEqual(await show(runId));
  const fountain = await cli(['export', runId, '--format', 'fountain']);
  expect(parseFountain(fountain.stdout).sceneHeadings.length).toBeGreaterThan(0);

  // Deciding on a completed run is refused; resuming it is a no-op.
  const late = await cli(['reject', runId, 'beats', '--feedback', 'too late']);
  expect(late.code).toBe(2);
  const resumed = await cli(['resume', runId]);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/already completed; nothing to resume/);
});

test('cancel ends a waiting run, once', async () => {
  const file = ws.file('cancel.json', approvalPipeline());
  const started = await cli(['run', file, '--input', PREMISE]);
  expect(started.code).toBe(3);
  const runId = started.stdout.trim();
  const cancelled = await cli(['cancel', runId]);
  expect(cancelled.code).toBe(0);
  expect(cancelled.stderr).toMatch(/cancelled/);
  expect((await show(runId)).status).toBe('cancelled');
  const twice = await cli(['cancel', runId]);
  expect(twice.code).toBe(2);
  expect(twice.stderr).toMatch(/already cancelled/);
  const waiting = await cli(['runs', '--status', 'cancelled', '--json']);
  expect((JSON.parse(waiting.stdout) as RunJson[]).map((r) => r.id)).toContain(runId);
});

test('rerun --from reuses upstream outputs (no model call for them) and accepts edits', async () => {
  const file = ws.file('rerun.json', approvalPipeline({ approvals: false }));
  const parentStart = stub.requests.length;
  const first = await cli(['run', file, '--input', PREMISE, '--model', 'openai:stub-model', '--json']);
  expect(first.code).toBe(0);
  const parent = JSON.parse(first.stdout) as RunJson;
  const callsBefore = stub.requests.length;

  const castEdit = editFirstString(parent.nodes.cast.output, '');
  const beatsEdit = editFirstString(parent.nodes.beats.output, ' — revised');
  const editFile = ws.file('rerun-beats.json', beatsEdit);
  const rerun = await cli(['rerun', parent.id, '--from', 'lines', '--edit', `beats=${editFile}`, '--json']);
  expect(rerun.code).toBe(0);
  const child = JSON.parse(rerun.stdout) as RunJson;
  expect(child.id).not.toBe(parent.id);
  expect(child.parentRunId).toBe(parent.id);
  expect(child.status).toBe('completed');
  expect(child.nodes.logline.status).toBe('reused');
  expect(child.nodes.cast.status).toBe('reused');
  expect(child.nodes.cast.output).toEqual(castEdit);
  expect(child.nodes.beats.output).toEqual(beatsEdit);
  expect(child.nodes.lines.status).toBe('completed');
  // Only the downstream nodes ran, and every model request since then is one of the dialogue's calls.
  const log = JSON.parse((await cli(['show', child.id, '--events', '--json'])).stdout) as Array<{ type: string; nodeId?: string }>;
  expect(log.filter((e) => e.type === 'node.started').map((e) => e.nodeId)).toEqual(['lines', 'script']);
  const requests = stub.requests.slice(callsBefore);
  const usage = (child.nodes.lines as { usage?: { calls: number } }).usage;
  expect(requests.length).toBeGreaterThan(0);
  expect(requests.length).toBe(usage?.calls);
  const upstreamPrompts = new Set(stub.requests.slice(parentStart, parentStart + 3).map((r) => JSON.stringify(r.messages))); // logline, cast, beats
  expect(requests.filter((r) => upstreamPrompts.has(JSON.stringify(r.messages)))).toEqual([]);

  const badNode = await cli(['rerun', parent.id, '--from', 'nope']);
  expect(badNode.code).toBe(2);
  expect(badNode.stderr).toMatch(/has no node 'nope'/);
  const badEdit = ws.file('rerun-bad.json', { acts: 'none' });
  const refused = await cli(['rerun', parent.id, '--from', 'lines', '--edit', `beats=${badEdit}`]);
  expect(refused.code).toBe(2);
});

test('in a terminal it asks at each approval: edit in $EDITOR, reject with feedback, approve', async () => {
  const file = ws.file('interactive.json', approvalPipeline());
  // The "editor": changes the first character's voice in the JSON file it is given.
  const editor = ws.file(
    'edit-voice.js',
    `const fs = require('fs'); const f = process.argv[2]; const d = JSON.parse(fs.readFileSync(f, 'utf8'));
     d.characters[0].voice += ' EDITED'; fs.writeFileSync(f, JSON.stringify(d));`,
  );
  const command = [process.execPath, CLI_BIN, 'run', file, '--input', PREMISE, ...db].map((a) => `'${a}'`).join(' ');
  const terminal = new CliProcess(
    spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...cliEnv(env), EDITOR: `'${process.execPath}' '${editor}'`, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const answer = async (prompt: RegExp, text: string, occurrence = 1) => {
    await terminal.waitFor(new RegExp(`(${prompt.source}[\\s\\S]*){${occurrence}}`));
    terminal.child.stdin!.write(`${text}\r`);
  };
  // The question says that a letter and Enter are expected.
  const question = /Approval needed: (?:cast|beats)[\s\S]*?Approve, edit or reject\? \[a\/e\/r\/v\/l, then Enter\] ›/;
  await answer(new RegExp(question.source.replace('(?:cast|beats)', 'cast')), 'e');
  await terminal.waitFor(/cast approved with your edit/);
  const beatsQuestion = new RegExp(question.source.replace('(?:cast|beats)', 'beats'));
  await answer(beatsQuestion, 'r');
  await answer(/What should change\? ›/, 'Set the finale in a flooded cellar');
  await terminal.waitFor(/beats rejected; it will be rewritten with your feedback/);
  // Rejecting with the feedback on the same line: the letter is not part of the feedback.
  await answer(beatsQuestion, 'r Make the diver older', 2);
  await terminal.waitFor(/(beats rejected; it will be rewritten with your feedback[\s\S]*){2}/);
  await answer(beatsQuestion, 'a', 3);
  const ended = await terminal.exited;
  expect(ended.stdout).toMatch(/Run \S+ completed in/);
  expect(ended.code).toBe(0);
  const runId = /Run (\S+?):/.exec(ended.stdout)![1];
  const run = await show(runId);
  expect(run.status).toBe('completed');
  const cast = run.nodes.cast.output as { characters: Array<{ voice: string }> };
  expect(cast.characters[0].voice).toMatch(/ EDITED$/);
  const log = JSON.parse((await cli(['show', runId, '--events', '--json'])).stdout) as Array<{ type: string; nodeId?: string; data: { decision?: string; feedback?: string } }>;
  const feedback = log.filter((e) => e.type === 'approval.resolved' && e.nodeId === 'beats').map((e) => e.data.feedback).filter(Boolean);
  expect(feedback).toEqual(['Set the finale in a flooded cellar', 'Make the diver older']);
});

test('approve --candidate keeps one of the candidates a node wrote; a candidate that does not exist exits 2', async () => {
  const pipeline = approvalPipeline() as { nodes: Array<{ id: string; approval?: boolean; candidates?: number }> };
  for (const node of pipeline.nodes) {
    if (node.id === 'beats') node.approval = false;
    if (node.id === 'cast') node.candidates = 2;
  }
  const file = ws.file('candidates.json', pipeline);
  const started = await runCli(['run', file, '--input', PREMISE, ...db]);
  expect(started.code).toBe(3);
  const runId = started.stdout.trim();
  const waiting = await show(runId);
  const candidates = (waiting.pending[0] as { candidates?: unknown[] }).candidates!;
  expect(candidates).toHaveLength(2);
  expect(candidates[0]).not.toEqual(candidates[1]);

  const missing = await runCli(['approve', runId, 'cast', '--candidate', '5', ...db]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/no candidate 5/);
  const notNumber = await runCli(['approve', runId, 'cast', '--candidate', 'second', ...db]);
  expect(notNumber.code).toBe(2);
  expect((await show(runId)).pending).toHaveLength(1);

  const chosen = await runCli(['approve', runId, 'cast', '--candidate', '1', ...db]);
  expect(chosen.code).toBe(0);
  expect(chosen.stderr).toMatch(/cast approved with candidate 1/);
  const done = await show(runId);
  expect(done.status).toBe('completed');
  expect(done.nodes.cast.output).toEqual(candidates[1]);
});
