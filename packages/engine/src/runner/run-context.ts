// Everything one drive of one run needs, built once per drive.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { StoryloomError } from '../errors';
import type { PriceTable } from '../cost/prices';
import type { ModelEnv } from '../models/caller';
import { buildGraph, type PipelineGraph } from '../pipeline/graph';
import type { Pipeline, PipelineNode } from '../pipeline/schema';
import type { RunRecord, StoreSet, Stores } from '../store';
import type { RunObserver } from './observer';

export interface EngineSettings {
  env: ModelEnv;
  /** What each model's tokens cost (attempts record their cost at these rates). */
  prices: PriceTable;
  modelTimeoutMs?: number;
  maxRetries?: number;
  /** Told of each node execution and model call (metrics). */
  observer?: RunObserver;
}

/** The lease this drive holds: every write it makes is refused once the lease has passed to another process. */
export interface DriveLease {
  owner: string;
  epoch: number;
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
  lease: DriveLease;
  /**
   * A transaction that first checks this drive still holds the run's lease (and keeps it from changing hands
   * until commit): a process that stalled past its lease and lost the run cannot write over its successor.
   */
  fenced<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T>;
}

export function createRunContext(
  stores: Stores,
  run: RunRecord,
  settings: EngineSettings,
  signal: AbortSignal,
  checkpointer: BaseCheckpointSaver,
  lease: DriveLease,
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
    lease,
    fenced: (fn) => fencedTransaction(stores, run.id, lease, fn),
  };
}

export function fencedTransaction<T>(stores: Stores, runId: string, lease: DriveLease, fn: (tx: StoreSet) => Promise<T>): Promise<T> {
  return stores.transaction(async (tx) => {
    if (!(await tx.runs.holdsLease(runId, lease.owner, lease.epoch))) throw leaseLostError(runId);
    return fn(tx);
  });
}

/** What a drive that lost its run's lease is stopped with, at its next write. */
export function leaseLostError(runId: string): StoryloomError {
  return new StoryloomError('lease_held', `run '${runId}' was taken over by another process; this one stops writing to it`);
}
