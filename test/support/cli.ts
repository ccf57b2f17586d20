// Spawning the real `storyloom` CLI (the built launcher) in tests: each call is a separate Node process
// with a clean environment, so tests exercise exactly what a user's shell does.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Pipeline } from '@storyloom/engine';
import { trackChild } from './child-processes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI_BIN = path.join(REPO_ROOT, 'packages/server/bin/storyloom.js');
export const PIPELINES_DIR = path.join(REPO_ROOT, 'pipelines');

export interface CliOptions {
  cwd?: string;
  /** Added to a clean environment (no STORYLOOM_* / OPENAI_* / OLLAMA_* from the outer shell). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const LEAKY_ENV = /^(STORYLOOM_|OPENAI_|OLLAMA_|PORT$|EDITOR$|VISUAL$)/;

export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!LEAKY_ENV.test(name)) env[name] = value;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A running CLI process whose output is collected as it arrives. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;

  constructor(readonly child: ChildProcess) {
    trackChild(child);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Resolves when stdout+stderr match `pattern`; rejects if the process ends first or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => (ended = true));
    while (!pattern.test(this.stdout + this.stderr)) {
      if (ended) throw new Error(`CLI exited before output matched ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

export function spawnCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(options.input ?? '');
  return new CliProcess(child);
}

/** Runs the CLI to its end (killed after `timeoutMs`). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const cli = spawnCli(args, options);
  const timer = setTimeout(() => cli.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface TempWorkspace {
  dir: string;
  dbPath: string;
  file(name: string, content: unknown): string;
  cleanup(): void;
}

/** A temporary directory with a database path in it; `file` writes JSON for objects. */
export function tempWorkspace(prefix = 'storyloom-cli-'): TempWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    dbPath: path.join(dir, 'storyloom.db'),
    file(name, content) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === 'string' ? content : (JSON.stringify(content, null, 2) ?? 'null'));
      return file;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One workspace for a whole test file: made in beforeAll, removed in afterAll (call at the top level of the file).
 * `db` is the `--db` argument pair for its database.
 */
export function workspaceForFile(prefix?: string): { readonly ws: TempWorkspace; readonly db: string[] } {
  let current: TempWorkspace | undefined;
  beforeAll(() => {
    current = tempWorkspace(prefix);
  });
  afterAll(() => current?.cleanup());
  const ws = (): TempWorkspace => {
    if (!current) throw new Error('workspaceForFile: the workspace exists only while the file\'s tests run');
    return current;
  };
  return {
    get ws() {
      return ws();
    },
    get db() {
      return ['--db', ws().dbPath];
    },
  };
}

/** A small linear pipeline with two approval gates (cast, beats), for approval, crash and rerun tests. */
export function approvalPipeline(options: { approvals?: boolean; scenes?: number } = {}): Pipeline {
  const approval = options.approvals ?? true;
  return {
    format: 'storyloom/pipeline@1',
    id: 'cli-approvals',
    name: 'CLI approvals',
    inputs: { premise: { type: 'string', required: true }, scenes: { type: 'number', default: options.scenes ?? 3 } },
    nodes: [
      { id: 'logline', type: 'logline' },
      { id: 'cast', type: 'characters', config: { count: 3 }, approval },
      { id: 'beats', type: 'outline', config: { scenes: '{{inputs.scenes}}' }, approval },
      { id: 'lines', type: 'dialogue', config: { concurrency: 1 } },
      { id: 'script', type: 'export', config: { format: 'fountain' } },
    ],
    edges: [
      { source: 'logline', target: 'cast' },
      { source: 'cast', target: 'beats' },
      { source: 'beats', target: 'lines' },
      { source: 'lines', target: 'script' },
    ],
  };
}

export interface ParsedFountain {
  title: string;
  sceneHeadings: string[];
  /** Character cues without extensions such as (V.O.) or (CONT'D). */
  cues: string[];
  dialogueLines: number;
}

/** Parses with the independent `fountain-js` parser. */
export function parseFountain(text: string): ParsedFountain {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Fountain } = require('fountain-js') as typeof import('fountain-js');
  const script = new Fountain().parse(text, true);
  const tokens = script.tokens;
  return {
    title: script.title ?? '',
    sceneHeadings: tokens.filter((t) => t.type === 'scene_heading').map((t) => String(t.text)),
    cues: tokens
      .filter((t) => t.type === 'character')
      .map((t) => String(t.text).replace(/\s*\(.*?\)\s*/g, ' ').replace(/\^$/, '').trim()),
    dialogueLines: tokens.filter((t) => t.type === 'dialogue').length,
  };
}

/** The last run id a CLI printed on stdout (exit 3) or in its progress (`Run <id>: …`). */
export function runIdFrom(result: { stdout: string; stderr: string }): string {
  const fromStdout = result.stdout.trim().split('\n').pop()?.trim();
  if (fromStdout && /^[\w-]+$/.test(fromStdout)) return fromStdout;
  const match = /Run (\S+?):/.exec(result.stderr);
  if (!match) throw new Error(`no run id in CLI output:\n${result.stdout}\n${result.stderr}`);
  return match[1];
}
