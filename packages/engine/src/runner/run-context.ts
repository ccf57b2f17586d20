// Everything one drive of one run needs, built once per drive.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { ModelEnv } from '../models/caller';
import { buildGraph, type PipelineGraph } from '../pipeline/graph';
import type { Pipeline, PipelineNode } from '../pipeline/schema';
import type { Stores } from '../store';
import type { RunRecord } from '../store/run-store';

export interface EngineSettings {
  env: ModelEnv;
  modelTimeoutMs?: number;
  maxRetries?: number;
}

export interface RunContext {
  stores: Stores;
  run: RunRecord;
  pipeline: Pipeline;
  graph: PipelineGraph;
  nodes: Map<string, PipelineNode>;
  settings: EngineSettings;
  signal: AbortSignal;
  checkpointer: BaseCheckpointSaver;
  /** Throws 'lease_held' once another process has taken the run over; called first in every progress write. */
  fence: () => void;
}

export function createRunContext(
  stores: Stores,
  run: RunRecord,
  settings: EngineSettings,
  signal: AbortSignal,
  checkpointer: BaseCheckpointSaver,
  fence: () => void,
): RunContext {
  const pipeline = run.pipeline;
  return {
    stores,
    run,
    pipeline,
    graph: buildGraph(pipeline),
    nodes: new Map(pipeline.nodes.map((node) => [node.id, node])),
    settings,
    signal,
    checkpointer,
    fence,
  };
}
