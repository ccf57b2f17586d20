// `storyloom run` to completion offline with the real CLI: every shipped pipeline, `--out`, `--json`
// against `show --json`, `runs`, `show` and every `export` format.
import fs from 'node:fs';
import path from 'node:path';
import { PIPELINES_DIR, approvalPipeline, parseFountain, runCli, spawnCli, workspaceForFile } from './support/cli';
import { readPdf } from './support/pdf';

interface RunJson {
  id: string;
  status: string;
  pipelineId: string;
  nodes: Record<string, { status: string; output?: unknown }>;
  pending: unknown[];
}

const workspace = workspaceForFile();

const PREMISE = 'premise=A retired cartographer must map a city that rearranges itself every night';

const shipped = fs.existsSync(PIPELINES_DIR) ? fs.readdirSync(PIPELINES_DIR).filter((name) => name.endsWith('.json')).sort() : [];

function castNames(run: RunJson): string[] {
  const names: string[] = [];
  for (const node of Object.values(run.nodes)) {
    const characters = (node.output as { characters?: Array<{ name: string }> } | undefined)?.characters;
    if (Array.isArray(characters)) names.push(...characters.map((c) => c.name));
  }
  return names;
}

test('there are shipped pipelines to run', () => {
  expect(shipped.length).toBeGreaterThanOrEqual(3);
});

describe.each(shipped)('shipped pipeline %s', (name) => {
  test('runs to completion offline, writes its documents with --out, and --json matches show --json', async () => {
    const file = path.join(PIPELINES_DIR, name);
    const out = path.join(workspace.ws.dir, `out-${name}`);
    const result = await runCli(['run', file, '--input', PREMISE, '--auto-approve', '--out', out, '--json', ...workspace.db]);
    expect(result.stderr).toMatch(/Model: offline/);
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as RunJson;
    expect(run.status).toBe('completed');
    for (const [id, node] of Object.entries(run.nodes)) expect([id, node.status]).toEqual([id, expect.stringMatching(/^(completed|skipped)$/)]);

    const show = await runCli(['show', run.id, '--json', ...workspace.db]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual(run);

    const files = fs.readdirSync(out);
    expect(files).toContain('run.json');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'))).toEqual(run);
    const pipeline = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Array<{ id: string; type: string; config?: { format?: string } }> };
    const exports = pipeline.nodes.filter((node) => node.type === 'export');
    // Beside the export nodes' documents: the run's PDF, when the pipeline writes scenes (dialogue or prose).
    const writesScenes = pipeline.nodes.some((node) => node.type === 'dialogue' || node.type === 'prose');
    expect(files.length).toBe(exports.length + 1 + (writesScenes ? 1 : 0));
    for (const node of exports) {
      const document = run.nodes[node.id].output as { filename: string; content: string };
      expect(fs.readFileSync(path.join(out, document.filename), 'utf8')).toBe(document.content);
    }
    const pdfs = files.filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(writesScenes ? 1 : 0);
    if (pdfs.length === 0) return;
    const pdf = await readPdf(path.join(out, pdfs[0]));
    expect(pdf.pages.length).toBeGreaterThanOrEqual(2);
    expect(pdf.pages[0].items.map((item) => item.text).join(' ')).toMatch(/PLACEHOLDER: written by the offline writer/);
    const fountainFiles = files.filter((f) => f.endsWith('.fountain'));
    for (const fountainFile of fountainFiles) {
      const parsed = parseFountain(fs.readFileSync(path.join(out, fountainFile), 'utf8'));
      expect(parsed.title.length).toBeGreaterThan(0);
      expect(parsed.sceneHeadings.length).toBeGreaterThan(0);
      expect(parsed.sceneHeadings.every((h) => /^(INT\.|EXT\.|INT\.\/EXT\.|I\/E)/i.test(h))).toBe(true);
      expect(parsed.cues.length).toBeGreaterThan(0);
      const cast = castNames(run).map((n) => n.toUpperCase());
      for (const cue of parsed.cues) expect(cast).toContain(cue.toUpperCase());
    }
  });
});

describe('runs, show and export of a completed run', () => {
  let runId: string;
  beforeAll(async () => {
    const file = workspace.ws.file('export.json', approvalPipeline());
    const result = await runCli(['run', file, '--input', PREMISE, '--auto-approve', '--json', ...workspace.db]);
    expect(result.code).toBe(0);
    runId = (JSON.parse(result.stdout) as RunJson).id;
  });

  test('plain progress goes to stderr, one line per event, with the offline note', async () => {
    const file = workspace.ws.file('plain.json', approvalPipeline({ approvals: false }));
    const result = await runCli(['run', file, '--input', PREMISE, ...workspace.db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Model: offline \(built-in deterministic writer, no LLM\)/);
    expect(result.stderr).toMatch(/^logline: started$/m);
    expect(result.stderr).toMatch(/^lines: completed \(\d/m);
    expect(result.stderr).toMatch(/Run \S+ completed in/);
    expect(result.stderr).not.toMatch(/\x1b\[/); // no terminal escapes in logs
  });

  test('runs lists it (filtered by status) and show describes it', async () => {
    const table = await runCli(['runs', ...workspace.db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${runId}\\s+cli-approvals\\s+completed\\s+5/5`));
    const completed = JSON.parse((await runCli(['runs', '--status', 'completed', '--json', ...workspace.db])).stdout) as RunJson[];
    expect(completed.map((r) => r.id)).toContain(runId);
    const waiting = JSON.parse((await runCli(['runs', '--status', 'waiting', '--json', ...workspace.db])).stdout) as RunJson[];
    expect(waiting.map((r) => r.id)).not.toContain(runId);
    const show = await runCli(['show', runId, ...workspace.db]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+completed/);
    expect(show.stdout).toMatch(/^\s+beats\s+completed/m);
  });

  test('export writes every format to stdout or --out', async () => {
    const fountain = await runCli(['export', runId, '--format', 'fountain', ...workspace.db]);
    expect(fountain.code).toBe(0);
    expect(parseFountain(fountain.stdout).sceneHeadings.length).toBe(3);
    const fdx = await runCli(['export', runId, '--format', 'fdx', ...workspace.db]);
    expect(fdx.stdout).toMatch(/^<\?xml[^>]*\?>\s*<FinalDraft/);
    const markdown = await runCli(['export', runId, '--format', 'markdown', ...workspace.db]);
    expect(markdown.stdout).toMatch(/^# /m);
    const json = await runCli(['export', runId, '--format', 'json', ...workspace.db]);
    const story = JSON.parse(json.stdout) as { format: string; title: string; memory: { dialogue?: { scenes: unknown[] } } };
    expect(story.format).toBe('storyloom/story@1');
    expect(fountain.stdout).toContain(`Title: ${story.title}`);
    expect(story.memory.dialogue?.scenes).toHaveLength(3);
    const outFile = path.join(workspace.ws.dir, 'exports', 'script.fountain');
    const written = await runCli(['export', runId, '--format', 'fountain', '--out', outFile, ...workspace.db]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(fs.readFileSync(outFile, 'utf8')).toBe(fountain.stdout);
  });

  test('export --format pdf --out writes the screenplay PDF; page options come as flags', async () => {
    const outFile = path.join(workspace.ws.dir, 'exports', 'script.pdf');
    const written = await runCli(['export', runId, '--format', 'pdf', '--out', outFile, '--paper', 'a4', '--scene-numbers', ...workspace.db]);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/Wrote .*script\.pdf \(application\/pdf\)/);
    const bytes = fs.readFileSync(outFile);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await readPdf(outFile);
    expect(pdf.pages[0].width).toBeCloseTo(8.27, 2);
    const headings = parseFountain((await runCli(['export', runId, '--format', 'fountain', ...workspace.db])).stdout).sceneHeadings;
    const lines = pdf.pages.slice(1).flatMap((page) => page.items.map((item) => item.text));
    expect(lines.filter((text) => headings.includes(text))).toEqual(headings);
    expect(lines.filter((text) => text === '1')).toHaveLength(2); // scene 1 numbered in both margins
    // Piped stdout gets the bytes too.
    const piped = await runCli(['export', runId, '--format', 'pdf', ...workspace.db]);
    expect(piped.code).toBe(0);
    expect(piped.stdout.startsWith('%PDF-')).toBe(true);
    const bad = await runCli(['export', runId, '--format', 'pdf', '--paper', 'legal', '--out', outFile, ...workspace.db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown paper 'legal': use letter or a4/);
  });
});

test('serve shares the database with the CLI: runs started by either are visible to the other', async () => {
  const file = workspace.ws.file('shared.json', approvalPipeline());
  const started = await runCli(['run', file, '--input', PREMISE, ...workspace.db]);
  expect(started.code).toBe(3);
  const cliRunId = started.stdout.trim();

  const server = spawnCli(['serve', '--port', '0', ...workspace.db]);
  try {
    await server.waitFor(/Storyloom on http:\/\/localhost:\d+/);
    // The model line follows the address line, in its own write: wait for it rather than race it.
    await server.waitFor(/default model: offline/);
    const port = /localhost:(\d+)/.exec(server.stdout)![1];
    const api = `http://127.0.0.1:${port}/api`;
    const health = (await (await fetch(`${api}/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    const seen = (await (await fetch(`${api}/runs/${cliRunId}`)).json()) as RunJson;
    expect(seen.status).toBe('waiting');
    expect(seen.pending).toEqual([expect.objectContaining({ nodeId: 'cast' })]);

    const pipeline = approvalPipeline({ approvals: false });
    const created = await fetch(`${api}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline, inputs: { premise: 'A beekeeper inherits a hive that hums in Morse code' } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const runs = JSON.parse((await runCli(['runs', '--json', ...workspace.db])).stdout) as RunJson[];
    expect(runs.map((r) => r.id)).toEqual(expect.arrayContaining([cliRunId, id]));

    // A pipeline saved through the API runs from the CLI by its id (recording its version).
    const saved = await fetch(`${api}/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...pipeline, id: 'saved-for-cli', name: 'Saved for the CLI' }),
    });
    expect(saved.status).toBe(201);
    const bySavedId = await runCli(['run', 'saved-for-cli', '--input', PREMISE, '--json', ...workspace.db]);
    expect(bySavedId.code).toBe(0);
    const savedRun = JSON.parse(bySavedId.stdout) as RunJson & { version: number | null };
    expect(savedRun.pipelineId).toBe('saved-for-cli');
    expect(savedRun.version).toBe(1);
  } finally {
    server.kill('SIGTERM');
    const stopped = await server.exited;
    // Code and signal together (with the server's output in the diff): a kill by signal shows which one.
    expect(stopped).toMatchObject({ code: 0, signal: null });
  }
});

test('run <id> finds a shipped pipeline when the database has none of that id', async () => {
  const fresh = ['--db', path.join(workspace.ws.dir, 'fresh-for-shipped.db')];
  const result = await runCli(['run', 'short-screenplay', '--input', PREMISE, '--json', ...fresh]);
  expect(result.stderr).not.toMatch(/no saved pipeline/);
  expect(result.code).toBe(0);
  const run = JSON.parse(result.stdout) as RunJson & { version: number | null };
  expect(run.status).toBe('completed');
  expect(run.pipelineId).toBe('short-screenplay');
  expect(run.version).toBeNull(); // not a saved version: the shipped file

  const unknown = await runCli(['run', 'no-such-example', '--input', PREMISE, ...fresh]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/no saved pipeline 'no-such-example'.*no shipped one/);
});
