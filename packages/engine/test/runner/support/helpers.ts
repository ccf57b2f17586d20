// Shared test helpers for runner tests: temp databases, small pipelines made of `prompt` nodes, waiting.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoryloom } from '../../../src/runner/storyloom';
import type { Storyloom, StoryloomOptions } from '../../../src/runner/engine';
import type { Pipeline, PipelineNode } from '../../../src/pipeline/schema';
import type { RunEvent } from '../../../src/runner/types';
import { startOpenAIStub, type OpenAIStub, type StubBehavior } from '../../../../../test/support/openai-stub';
import { trackChild } from '../../../../../test/support/child-processes';

export interface TempEngines {
  dir: string;
  dbPath: string;
  open(options?: Partial<StoryloomOptions>): Promise<Storyloom>;
  cleanup(): Promise<void>;
}

export function tempEngines(): TempEngines {
  const dir = mkdtempSync(join(tmpdir(), 'storyloom-runner-'));
  const dbPath = join(dir, 'nested', 'storyloom.db');
  const opened: Storyloom[] = [];
  return {
    dir,
    dbPath,
    async open(options = {}) {
      const engine = await openStoryloom({ dbPath, env: {}, ...options });
      opened.push(engine);
      return engine;
    },
    async cleanup() {
      for (const engine of opened) await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The usual runner-test harness: one OpenAI-compatible stub for the file (started with `behavior`), and before
 * each test fresh temp engines and a reset stub (back to `everyTest`, when given). Call at describe level.
 */
export function stubbedEngines(
  behavior: Partial<StubBehavior> = {},
  everyTest?: Partial<StubBehavior>,
): { readonly stub: OpenAIStub; readonly temp: TempEngines } {
  let stub: OpenAIStub | undefined;
  let temp: TempEngines | undefined;
  beforeAll(async () => {
    stub = await startOpenAIStub(behavior);
  });
  afterAll(() => stub?.close());
  beforeEach(() => {
    temp = tempEngines();
    stub!.reset();
    if (everyTest) stub!.setBehavior(everyTest);
  });
  afterEach(() => temp?.cleanup());
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`stubbedEngines: no ${what} outside a test`);
    return value;
  };
  return {
    get stub() {
      return ready(stub, 'stub');
    },
    get temp() {
      return ready(temp, 'temp engines');
    },
  };
}

/** The node id in a prompt of `promptPipeline` ("Task <id> about …"), as the stub recorded it. */
export const taskOf = (prompt: string): string => prompt.split(' ')[1];

/** A `prompt` node writing slot `<id>_out` (ids are `[a-z0-9-]`, slots identifiers) from a template. */
export function promptNode(id: string, template: string, extra: Partial<PipelineNode> = {}): PipelineNode {
  return { id, type: 'prompt', writes: slotOf(id), config: { template }, ...extra };
}

export function slotOf(id: string): string {
  return `${id.replace(/-/g, '_')}_out`;
}

/**
 * A pipeline of prompt nodes from `edges` ("a>b"): each node's template names every parent's slot, so its
 * prompt shows exactly what it could read.
 */
export function promptPipeline(edges: string[], options: { approval?: string[]; model?: Pipeline['model']; id?: string; isolated?: string[] } = {}): Pipeline {
  const ids: string[] = [];
  const parents = new Map<string, string[]>();
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
    if (!parents.has(id)) parents.set(id, []);
  };
  const pairs = edges.map((edge) => edge.split('>'));
  for (const [source, target] of pairs) {
    add(source);
    if (target) {
      add(target);
      parents.get(target)!.push(source);
    }
  }
  for (const id of options.isolated ?? []) add(id);
  const nodes = ids.map((id) => {
    const reads = parents.get(id)!.map((parent) => `{{${slotOf(parent)}}}`).join(' ');
    return promptNode(id, `Task ${id} about {{inputs.premise}}. ${reads}`.trim(), options.approval?.includes(id) ? { approval: true } : {});
  });
  return {
    format: 'storyloom/pipeline@1',
    id: options.id ?? 'test-pipeline',
    name: 'Test pipeline',
    inputs: { premise: { type: 'string', required: true } },
    ...(options.model ? { model: options.model } : {}),
    nodes,
    edges: pairs.filter(([, target]) => target).map(([source, target]) => ({ source, target })),
  };
}

export function typesOf(events: RunEvent[], nodeId?: string): string[] {
  return events.filter((event) => nodeId === undefined || event.nodeId === nodeId).map((event) => event.type).filter((type) => type !== 'node.token');
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const SUPPORT = __dirname;

/** Starts `child-engine.ts` in a real separate Node process. */
export function spawnChild(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: () => Array<Record<string, unknown>>; exited: Promise<number | null> } {
  const child = trackChild(
    spawn(process.execPath, ['-r', join(SUPPORT, 'register-ts.js'), join(SUPPORT, 'child-engine.ts'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null && err) process.stderr.write(`child stderr: ${err}\n`);
      resolve(code);
    }),
  );
  return {
    child,
    lines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
  };
}
