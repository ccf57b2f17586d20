// Drives one run in this process: takes the lease, applies stored decisions, runs the graph from its last
// checkpoint until nothing more can run, and settles the run's status (completed, waiting, failed,
// cancelled). The lease is renewed and the cancel flag polled on a short timer while driving.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { setMaxListeners } from 'node:events';
import { StoryloomError } from '../errors';
import { writeTransaction, type Stores } from '../store';
import { ApprovalGate, hasGate } from './approval-gate';
import { compileRunGraph } from './compile';
import { keepLease, LEASE_TTL_MS, leaseIsDead, thisHost } from './lease';
import { errorMessage, NodeExecutor } from './node-executor';
import { createRunContext, type EngineSettings } from './run-context';
import { workNodeName, type RunGraphValues } from './state';
import type { RunStatus } from './types';

export interface DriverDeps {
  stores: Stores;
  checkpointer: BaseCheckpointSaver;
  settings: EngineSettings;
  ownerId: string;
}

/** Supersteps are cheap here; pipelines with review loops and rejections need more than LangGraph's 25. */
const RECURSION_LIMIT = 10_000;

export async function driveRun(deps: DriverDeps, runId: string, outerSignal?: AbortSignal): Promise<void> {
  const { stores, ownerId } = deps;
  if (!stores.runs.get(runId)) throw new StoryloomError('not_found', `no run '${runId}'`);
  if (!hasWorkToDo(stores, runId)) return;
  const claim = stores.runs.claimLease(runId, { owner: ownerId, host: thisHost(), pid: process.pid, ttlMs: LEASE_TTL_MS, holderIsGone: (lease) => leaseIsDead(lease) });
  if (!claim.ok) throw new StoryloomError('lease_held', `run '${runId}' is being driven by ${claim.holder}`);
  // Looked again under the lease: the previous holder may have finished the run in the meantime.
  if (!hasWorkToDo(stores, runId)) {
    stores.runs.releaseLease(runId, ownerId);
    return;
  }
  const run = stores.runs.get(runId)!;

  const abort = new AbortController();
  // Every in-flight model call (a 32-way fan-out, a dialogue node's parallel scenes) listens to this signal.
  setMaxListeners(10_000, abort.signal);
  const onOuterAbort = () => abort.abort(outerSignal?.reason);
  outerSignal?.addEventListener('abort', onOuterAbort, { once: true });
  const stopKeeping = keepLease(stores.runs, runId, ownerId, abort);

  try {
    writeTransaction(stores.db, () => {
      stores.runs.setStatus(runId, 'running');
      stores.nodes.resetRunning(runId);
      if (!stores.events.hasEvent(runId, 'run.started')) {
        stores.events.append(runId, { type: 'run.started', data: { pipelineId: run.pipelineId, version: run.version, inputs: run.inputs } });
      }
    });
    const ctx = createRunContext(stores, { ...run, status: 'running' }, deps.settings, abort.signal, deps.checkpointer);
    const app = compileRunGraph(ctx, new NodeExecutor(ctx), new ApprovalGate(ctx), deps.checkpointer);
    const thread = { configurable: { thread_id: runId } };
    const config = { ...thread, durability: 'sync', recursionLimit: RECURSION_LIMIT, signal: abort.signal };

    let fresh = (await deps.checkpointer.getTuple(thread)) === undefined;
    for (;;) {
      if (!fresh) {
        // Re-enter at each decided gate by replaying its node's (empty) write: the static edge node → gate fires.
        for (const decided of stores.approvals.decidedNotApplied(runId)) {
          await app.updateState(thread, {}, workNodeName(decided.nodeId));
        }
      }
      await app.invoke(fresh ? {} : null, config);
      fresh = false;
      if (stores.approvals.decidedNotApplied(runId).length > 0) continue;
      const { values } = await app.getState(thread);
      const status = settle(stores, runId, ownerId, values, ctx.graph.ids, (id) => hasGate(ctx.nodes.get(id)));
      if (status === 'again') continue;
      // A completed run is never resumed (a rerun starts a new thread from our own tables), so its graph
      // checkpoints are dead weight: drop them and let the next run reuse the pages.
      if (status === 'completed') await deps.checkpointer.deleteThread(runId);
      break;
    }
  } catch (error) {
    if (abort.signal.aborted && stores.runs.isCancelRequested(runId)) {
      writeTransaction(stores.db, () => {
        stores.nodes.resetRunning(runId);
        stores.runs.setStatus(runId, 'cancelled', 'cancelled');
        stores.events.append(runId, { type: 'run.cancelled', data: {} });
      });
    } else if (abort.signal.aborted) {
      // Stopped by our caller (e.g. the process is shutting down): leave it `running` without a lease, so
      // it shows up as interrupted and continues from its checkpoint on the next drive.
      stores.nodes.resetRunning(runId);
    } else {
      const message = errorMessage(error);
      writeTransaction(stores.db, () => {
        stores.nodes.resetRunning(runId); // siblings stopped with the failed node: they will run again on resume
        stores.runs.setStatus(runId, 'failed', message);
        stores.events.append(runId, { type: 'run.failed', data: { error: message } });
      });
    }
  } finally {
    stopKeeping();
    outerSignal?.removeEventListener('abort', onOuterAbort);
    stores.runs.releaseLease(runId, ownerId);
  }
}

function hasWorkToDo(stores: Stores, runId: string): boolean {
  const status = stores.runs.get(runId)?.status;
  if (status === 'completed' || status === 'cancelled' || status === 'failed' || status === undefined) return false;
  return status !== 'waiting' || stores.approvals.decidedNotApplied(runId).length > 0;
}

/**
 * Sets the run's outcome and releases the lease in one transaction, so a decision stored by another process
 * either lands before it (seen here: 'again', drive on) or after it (the decider can then take the lease).
 */
function settle(
  stores: Stores,
  runId: string,
  ownerId: string,
  values: RunGraphValues,
  ids: string[],
  needsApproval: (id: string) => boolean,
): RunStatus | 'again' {
  return writeTransaction(stores.db, (): RunStatus | 'again' => {
    if (stores.approvals.decidedNotApplied(runId).length > 0) return 'again';
    stores.runs.releaseLease(runId, ownerId);
    const pending = stores.approvals.pending(runId);
    if (pending.length > 0) {
      stores.runs.setStatus(runId, 'waiting');
      stores.events.append(runId, { type: 'run.waiting', data: { pending: pending.map((approval) => approval.nodeId) } });
      return 'waiting';
    }
    const unfinished = ids.filter((id) => values.done[id] === undefined || (needsApproval(id) && values.approved[id] !== values.done[id]));
    if (unfinished.length === 0) {
      stores.runs.setStatus(runId, 'completed');
      stores.events.append(runId, { type: 'run.completed', data: {} });
      return 'completed';
    }
    const message = `run stopped before ${unfinished.map((id) => `'${id}'`).join(', ')} could run`;
    stores.runs.setStatus(runId, 'failed', message);
    stores.events.append(runId, { type: 'run.failed', data: { error: message } });
    return 'failed';
  });
}
