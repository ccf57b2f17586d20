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

/** Drives the shipped pipeline `file` to its end on `model`; the run as driven and the pipeline. */
export function runShippedPipeline(file: string, env: ModelEnv, model: ModelSpecObject, inputs: Record<string, unknown> = {}) {
  const pipeline = JSON.parse(readFileSync(join(repo, 'pipelines', file), 'utf8')) as Pipeline;
  return withStoryloom(env, async (storyloom) => {
    const started = await storyloom.startRun({ pipeline, inputs: { premise, ...inputs }, model, autoApprove: true });
    return { pipeline, run: await storyloom.drive(started.id) };
  });
}

/** The drafts a logline node with `candidates: 3` offers at its approval. */
export function loglineCandidates(env: ModelEnv, model: ModelSpecObject) {
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
