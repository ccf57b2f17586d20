// `storyloom` command-line basics with the real CLI process: help, usage errors, `validate`, and every
// bad-input exit (2, with a message naming the problem, nothing stored).
import fs from 'node:fs';
import path from 'node:path';
import { approvalPipeline, REPO_ROOT, runCli, workspaceForFile } from './support/cli';

const workspace = workspaceForFile();

const PREMISE = 'premise=A lighthouse keeper finds a letter addressed to her dead sister';

describe('usage', () => {
  test('--help lists every command; each command has its own help', async () => {
    const general = await runCli(['--help']);
    expect(general.code).toBe(0);
    for (const name of ['serve', 'validate', 'run', 'runs', 'show', 'approve', 'reject', 'resume', 'cancel', 'rerun', 'export']) {
      expect(general.stdout).toContain(`storyloom ${name}`);
    }
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: storyloom run <file\|pipelineId>/);
    expect(help.stdout).toContain('--auto-approve');
    expect(help.stdout).toMatch(/3 waiting for approval/);
    // The help states the real default (startServer binds loopback unless --host is given).
    const serve = await runCli(['serve', '--help']);
    expect(serve.stdout).toMatch(/--host <address> +address to listen on \(default: 127\.0\.0\.1/);
    expect(serve.stdout).not.toMatch(/default: all interfaces/);
  });

  test('unknown command and unknown option exit 2 with a message', async () => {
    const command = await runCli(['rnu']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'rnu' \(did you mean 'run'\?\)/);
    const option = await runCli(['runs', '--stauts', 'waiting', ...workspace.db]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--stauts' \(did you mean '--status'\?\)/);
    const missing = await runCli(['export', 'r1', ...workspace.db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required option --format/);
    const noCommand = await runCli([]);
    expect(noCommand.code).toBe(2);
  });
});

describe('validate', () => {
  test('a valid pipeline exits 0', async () => {
    const file = workspace.ws.file('valid.json', approvalPipeline());
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid pipeline 'cli-approvals'.*5 nodes/);
  });

  test('loads neither the database nor LangChain: checking a file needs only the pipeline rules', async () => {
    const file = workspace.ws.file('quick.json', approvalPipeline());
    const report = workspace.ws.file('loaded.json', []);
    const preload = path.join(REPO_ROOT, 'test/support/report-loaded-modules.js');
    const result = await runCli(['validate', file], { env: { NODE_OPTIONS: `--require ${preload}`, STORYLOOM_TEST_LOADED_MODULES: report } });
    expect(result.code).toBe(0);
    const loaded = JSON.parse(fs.readFileSync(report, 'utf8')) as string[];
    expect(loaded.some((file) => file.includes('/packages/engine/dist/pipeline/validate'))).toBe(true);
    const heavy = loaded.filter((file) => /node_modules\/(@langchain|better-sqlite3|pg)\/|packages\/engine\/dist\/(store|runner)\//.test(file));
    expect(heavy).toEqual([]);
  });

  test('an invalid pipeline exits 2 and lists every problem', async () => {
    const pipeline = approvalPipeline() as { nodes: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>> };
    pipeline.nodes[2].type = 'outlien';
    pipeline.edges.push({ source: 'lines', target: 'cast' });
    const file = workspace.ws.file('invalid.json', pipeline);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid pipeline \(\d+ problems\)/);
    expect(result.stderr).toMatch(/outlien/);
    expect(result.stderr).toMatch(/cycle/);
    const json = await runCli(['validate', file, '--json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { valid: boolean; errors: Array<{ code: string }> };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['cycle']));
  });
});

describe('bad input exits 2 naming the problem and stores nothing', () => {
  const expectNothingStored = async () => {
    const runs = await runCli(['runs', '--json', ...workspace.db]);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  };

  test('unreadable file', async () => {
    const result = await runCli(['run', `${workspace.ws.dir}/nope.json`, '--input', PREMISE, ...workspace.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read pipeline file '.*nope\.json': no such file/);
  });

  test('a file that is not JSON', async () => {
    const file = workspace.ws.file('broken.json', '{ "format": "storyloom/pipeline@1", ');
    const result = await runCli(['run', file, '--input', PREMISE, ...workspace.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pipeline file '.*broken\.json' is not valid JSON/);
  });

  test('an invalid pipeline', async () => {
    const pipeline = approvalPipeline() as { nodes: Array<Record<string, unknown>> };
    pipeline.nodes[1].config = { count: 3, colour: 'blue' };
    pipeline.nodes.push({ id: 'logline', type: 'logline' });
    const file = workspace.ws.file('invalid-run.json', pipeline);
    const result = await runCli(['run', file, '--input', PREMISE, ...workspace.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid pipeline \(\d+ problems\)/);
    expect(result.stderr).toMatch(/colour/);
    expect(result.stderr).toMatch(/duplicate/i);
    await expectNothingStored();
  });

  test('a missing and a mistyped input', async () => {
    const file = workspace.ws.file('inputs.json', approvalPipeline());
    const missing = await runCli(['run', file, ...workspace.db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/invalid run inputs/);
    expect(missing.stderr).toMatch(/premise/);
    const mistyped = await runCli(['run', file, '--input', PREMISE, '--input', 'scenes=many', ...workspace.db]);
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toMatch(/scenes.*number/);
    const badPair = await runCli(['run', file, '--input', 'premise', ...workspace.db]);
    expect(badPair.code).toBe(2);
    expect(badPair.stderr).toMatch(/must look like name=value/);
    const inputsFile = workspace.ws.file('inputs-array.json', '[1, 2]');
    const badFile = await runCli(['run', file, '--inputs', inputsFile, ...workspace.db]);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(/must hold a JSON object/);
    await expectNothingStored();
  });

  test('an unknown model provider (flag or environment)', async () => {
    const file = workspace.ws.file('model.json', approvalPipeline());
    const flag = await runCli(['run', file, '--input', PREMISE, '--model', 'gpt5:turbo', ...workspace.db]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown model provider 'gpt5'/);
    const env = await runCli(['run', file, '--input', PREMISE, ...workspace.db], { env: { STORYLOOM_MODEL: 'claude:x' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/STORYLOOM_MODEL.*unknown model provider 'claude'/);
    const unconfigured = await runCli(['run', file, '--input', PREMISE, '--model', 'openai:gpt-4o-mini', ...workspace.db]);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/--model: openai is not configured: set OPENAI_API_KEY/);
    await expectNothingStored();
  });

  test('an unknown pipeline id, run id, status and export format', async () => {
    const pipeline = await runCli(['run', 'no-such-pipeline', ...workspace.db]);
    expect(pipeline.code).toBe(2);
    expect(pipeline.stderr).toMatch(/no saved pipeline 'no-such-pipeline'/);
    const commands = [['show', 'r-unknown'], ['resume', 'r-unknown'], ['approve', 'r-unknown', 'cast'], ['cancel', 'r-unknown'], ['export', 'r-unknown', '--format', 'fountain']];
    for (const result of await Promise.all(commands.map((args) => runCli([...args, ...workspace.db])))) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no run 'r-unknown'/);
    }
    const status = await runCli(['runs', '--status', 'done', ...workspace.db]);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/unknown status 'done'/);
    const format = await runCli(['export', 'r-unknown', '--format', 'docx', ...workspace.db]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/unknown format 'docx': use one of fountain, fdx, markdown, json, pdf, review/);
    await expectNothingStored();
  });

  test('the database defaults to $STORYLOOM_DB', async () => {
    const envDb = `${workspace.ws.dir}/env.db`;
    const file = workspace.ws.file('envdb.json', approvalPipeline({ approvals: false }));
    const result = await runCli(['run', file, '--input', PREMISE, '--json'], { env: { STORYLOOM_DB: envDb } });
    expect(result.code).toBe(0);
    expect(fs.existsSync(envDb)).toBe(true);
    const run = JSON.parse(result.stdout) as { id: string };
    const show = await runCli(['show', run.id], { env: { STORYLOOM_DB: envDb } });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(run.id);
  });
});
