// Whole runs on an in-process model (local GGUF or transformers), shared by both backends' tests: a shipped
// pipeline driven to the end with approvals taken as given, and a node's candidates at its approval.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelEnv } from '../../src/models/spec';
import { openStoryloom } from '../../src/node';
import type { ModelSpecObject, Pipeline } from '../../src/pipeline/schema';

const repo = join(__dirname, '..', '..', '..', '..');
const premise = 'A lighthouse keeper hears drowned sailors in the fog.';

type Storyloom = Awaited<ReturnType<typeof openStoryloom>>;

async function withStoryloom<T>(env: ModelEnv, work: (storyloom: Storyloom) => Promise<T>): Promise<T> {
  const dbFolder = mkdtempSync(join(tmpdir(), 'storyloom-in-process-'));
  const storyloom = await openStoryloom({ dbPath: join(dbFolder, 'storyloom.db'), env, maxRetries: 0 });
  try {
    return await work(storyloom);
  } finally {
    await storyloom.close();
    rmSync(dbFolder, { recursive: true, force: true });
  }
}

/** Drives the shipped pipeline `file` to its end on `model`: every node completes. */
export async function expectShippedPipelineCompletes(file: string, env: ModelEnv, model: ModelSpecObject, inputs: Record<string, unknown> = {}): Promise<void> {
  const pipeline = JSON.parse(readFileSync(join(repo, 'pipelines', file), 'utf8')) as Pipeline;
  const run = await withStoryloom(env, async (storyloom) => {
    const started = await storyloom.startRun({ pipeline, inputs: { premise, ...inputs }, model, autoApprove: true });
    return storyloom.drive(started.id);
  });
  expect(run.error).toBeUndefined();
  expect(run.status).toBe('completed');
  for (const node of pipeline.nodes) expect([node.id, run.nodes[node.id]?.status]).toEqual([node.id, 'completed']);
}

/** A logline node with `candidates: 3` on `model` stops at its approval with three distinct drafts. */
export async function expectThreeDistinctCandidates(env: ModelEnv, model: ModelSpecObject): Promise<void> {
  const { run, candidates } = await loglineCandidates(env, model);
  expect(run.error).toBeUndefined();
  expect(run.status).toBe('waiting');
  expect(candidates).toHaveLength(3);
  expect(new Set(candidates.map((candidate) => JSON.stringify(candidate))).size).toBe(3);
}

/** The drafts a logline node with `candidates: 3` offers at its approval. */
function loglineCandidates(env: ModelEnv, model: ModelSpecObject) {
  const pipeline = {
    format: 'storyloom/pipeline@1' as const,
    id: 'candidates',
    name: 'Candidates',
    inputs: { premise: { type: 'string' as const, required: true } },
    nodes: [{ id: 'logline', type: 'logline', candidates: 3, approval: true }],
    edges: [],
  };
  return withStoryloom(env, async (storyloom) => {
    const started = await storyloom.startRun({ pipeline, inputs: { premise }, model });
    const run = await storyloom.drive(started.id);
    return { run, candidates: run.pending[0]?.candidates ?? [] };
  });
}
