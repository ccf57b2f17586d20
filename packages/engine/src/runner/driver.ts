// Drives one run in this process: takes the lease, applies stored decisions, runs the graph from its last
// checkpoint until nothing more can run, and settles the run's status (completed, waiting, failed,
// cancelled). The lease is renewed and the cancel flag watched while driving; every write (graph checkpoints
// included) is fenced on the lease's epoch, so a process that lost the run (stalled past its lease) cannot
// write over its successor: its drive ends with 'lease_held', leaving the run to its new driver.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { setMaxListeners } from 'node:events';
import { isStoryloomError, StoryloomError } from '../errors';
import type { RunRecord, StoreSet, Stores } from '../store';
import { isDatabaseUnreachable } from '../store/unreachable';
import { ApprovalGate, hasGate } from './approval-gate';
import { compileRunGraph } from './compile';
import { keepLease, LEASE_TTL_MS, leaseIsDead, ownProcessStart, thisHost } from './lease';
import { FencedCheckpointer } from './fenced-checkpointer';
import { errorMessage, NodeExecutor } from './node-executor';
import { createRunContext, type DriveLease, type EngineSettings, fencedTransaction } from './run-context';
import { approvalNodeOf, budgetedNodeOf } from './budget-gate';
import { budgetEntryName, type RunGraphValues } from './state';
import { FINISHED_RUN_STATUSES, type RunStatus } from '../contract/run-view';

export interface DriverDeps {
  stores: Stores;
  checkpointer: BaseCheckpointSaver;
  settings: EngineSettings;
  ownerId: string;
  /** How long a lease lasts without renewal (default LEASE_TTL_MS): how soon another process may take over. */
  leaseTtlMs?: number;
}

/** Supersteps are cheap here; pipelines with review loops and rejections need more than LangGraph's 25. */
const RECURSION_LIMIT = 10_000;

const FINISHED = new Set<RunStatus>(FINISHED_RUN_STATUSES);

/** How long a stopped drive waits for its nodes to record their stopped calls (each call stops on the signal). */
const STOPPED_NODES_WAIT_MS = 2_000;

export async function driveRun(deps: DriverDeps, runId: string, outerSignal?: AbortSignal): Promise<void> {
  const { stores, ownerId } = deps;
  const before = await stores.runs.get(runId);
  if (!before) throw new StoryloomError('not_found', `no run '${runId}'`);
  if (!(await hasWorkToDo(stores, before))) return;
  const ttlMs = deps.leaseTtlMs ?? LEASE_TTL_MS;
  const claim = await stores.runs.claimLease(runId, {
    owner: ownerId,
    host: thisHost(),
    pid: process.pid,
    started: ownProcessStart(),
    ttlMs,
    holderIsGone: (lease) => leaseIsDead(lease),
  });
  if (!claim.ok) throw new StoryloomError('lease_held', `run '${runId}' is being driven by ${claim.holder}`);
  const lease: DriveLease = { owner: ownerId, epoch: claim.epoch };
  // Looked again under the lease: the previous holder may have finished the run in the meantime.
  const run = await stores.runs.get(runId);
  if (!run || !(await hasWorkToDo(stores, run))) {
    await stores.runs.releaseLease(runId, ownerId);
    return;
  }
  const fenced = <T>(fn: (tx: StoreSet) => Promise<T>) => fencedTransaction(stores, runId, lease, fn);

  const abort = new AbortController();
  // Every in-flight model call (a 32-way fan-out, a dialogue node's parallel scenes) listens to this signal.
  setMaxListeners(10_000, abort.signal);
  const onOuterAbort = () => abort.abort(outerSignal?.reason);
  outerSignal?.addEventListener('abort', onOuterAbort, { once: true });
  const stopKeeping = keepLease(stores, runId, lease, abort, ttlMs);
  let executor: NodeExecutor | undefined;
  let leaseReleased = false;

  try {
    await fenced(async (tx) => {
      await tx.runs.setStatus(runId, 'running');
      await tx.nodes.resetRunning(runId);
      if (!(await tx.events.hasEvent(runId, 'run.started'))) {
        const startedBy = run.startedBy ? { actor: run.startedBy } : {};
        await tx.events.append(runId, { type: 'run.started', data: { pipelineId: run.pipelineId, version: run.version, inputs: run.inputs }, ...startedBy });
      }
    });
    const ctx = createRunContext(stores, { ...run, status: 'running' }, deps.settings, abort.signal, deps.checkpointer, lease);
    executor = new NodeExecutor(ctx);
    const { app, segments } = compileRunGraph(ctx, executor, new ApprovalGate(ctx), new FencedCheckpointer(deps.checkpointer, stores, runId, lease));
    const thread = { configurable: { thread_id: runId } };
    const config = { ...thread, durability: 'sync', recursionLimit: RECURSION_LIMIT, signal: abort.signal };

    let fresh = (await deps.checkpointer.getTuple(thread)) === undefined;
    for (;;) {
      if (!fresh) {
        // Re-enter at each decided gate by replaying its node's (empty) write as the graph node it runs in (a
        // gated node ends its segment): the static edge to the gate fires
        // (for a budget decision: the entry before the node, whose edge leads to the node's work).
        for (const decided of await stores.approvals.decidedNotApplied(runId)) {
          const budgeted = budgetedNodeOf(decided.nodeId);
          await app.updateState(thread, {}, budgeted !== undefined ? budgetEntryName(budgeted) : segments.graphNodeOf(decided.nodeId));
        }
      }
      // After a crash the checkpoint goes on from where it was saved: never from the input again.
      // What it returns is the graph's state where it stopped (its last checkpoint's values).
      const values = await app.invoke(fresh ? {} : null, config);
      fresh = false;
      if ((await stores.approvals.decidedNotApplied(runId)).length > 0) continue;
      const status = await settle(fenced, runId, ownerId, values, ctx.graph.ids, (id) => hasGate(ctx.nodes.get(id)));
      if (status === 'again') continue;
      leaseReleased = true; // settling released it, in the transaction that set the outcome
      // A completed run is never resumed (a rerun starts a new thread from our own tables), so its graph
      // checkpoints are dead weight: drop them and let the next run reuse the pages.
      if (status === 'completed') await deps.checkpointer.deleteThread(runId);
      break;
    }
  } catch (error) {
    // Stopped nodes record what their cut-off calls spent (fenced on the lease, which settling releases).
    if (abort.signal.aborted) await executor?.quiet(STOPPED_NODES_WAIT_MS);
    await settleAfterError(stores, fenced, runId, abort.signal, error);
  } finally {
    stopKeeping();
    outerSignal?.removeEventListener('abort', onOuterAbort);
    if (!leaseReleased) await stores.runs.releaseLease(runId, ownerId).catch(() => undefined); // unreachable: it expires by itself
  }
}

async function settleAfterError(
  stores: Stores,
  fenced: <T>(fn: (tx: StoreSet) => Promise<T>) => Promise<T>,
  runId: string,
  signal: AbortSignal,
  error: unknown,
): Promise<void> {
  // Taken over by another process: it owns the run now; this one writes nothing more and tells its caller
  // (a CLI then follows the run, a server leaves it alone).
  if (isStoryloomError(error, 'lease_held')) throw error;
  if (isStoryloomError(signal.reason, 'lease_held')) throw signal.reason;
  // The database went away under the drive (a restart): that says nothing about the run. It stays `running`
  // and the caller drives it again from its last checkpoint (a queue job is retried, recovery takes it over).
  if (isDatabaseUnreachable(error)) {
    await fenced((tx) => tx.nodes.resetRunning(runId)).catch(() => undefined);
    throw error;
  }
  // Each outcome is written fenced: should the lease be taken between the failure and the write, it throws
  // 'lease_held' and writes nothing. (An unreachable database leaves the run `running`: it is taken over
  // from its last checkpoint once its lease expires.)
  if (signal.aborted && (await stores.runs.isCancelRequested(runId))) {
    await fenced(async (tx) => {
      await tx.nodes.resetRunning(runId);
      await tx.runs.setStatus(runId, 'cancelled', 'cancelled');
      const cancelledBy = (await tx.runs.get(runId))?.cancelledBy;
      await tx.events.append(runId, { type: 'run.cancelled', data: {}, ...(cancelledBy ? { actor: cancelledBy } : {}) });
    });
  } else if (signal.aborted) {
    // Stopped by our caller (e.g. the process is shutting down): leave it `running` without a lease, so
    // it shows up as interrupted and continues from its checkpoint on the next drive.
    await fenced((tx) => tx.nodes.resetRunning(runId));
  } else {
    const message = errorMessage(error);
    await fenced(async (tx) => {
      await tx.nodes.resetRunning(runId); // siblings stopped with the failed node: they will run again on resume
      await tx.runs.setStatus(runId, 'failed', message);
      await tx.events.append(runId, { type: 'run.failed', data: { error: message } });
    });
  }
}

async function hasWorkToDo(stores: Stores, run: RunRecord): Promise<boolean> {
  if (FINISHED.has(run.status)) return false;
  return run.status !== 'waiting' || (await stores.approvals.decidedNotApplied(run.id)).length > 0;
}

/**
 * Sets the run's outcome and releases the lease in one transaction that holds the run row, so a decision
 * stored by another process either lands before it (seen here: 'again', drive on) or after it (the decider
 * can then take the lease).
 */
function settle(
  fenced: <T>(fn: (tx: StoreSet) => Promise<T>) => Promise<T>,
  runId: string,
  ownerId: string,
  values: RunGraphValues,
  ids: string[],
  needsApproval: (id: string) => boolean,
): Promise<RunStatus | 'again'> {
  return fenced(async (stores): Promise<RunStatus | 'again'> => {
    await stores.runs.lock(runId);
    if ((await stores.approvals.decidedNotApplied(runId)).length > 0) return 'again';
    await stores.runs.releaseLease(runId, ownerId);
    const pending = await stores.approvals.pending(runId);
    if (pending.length > 0) {
      await stores.runs.setStatus(runId, 'waiting');
      await stores.events.append(runId, { type: 'run.waiting', data: { pending: pending.map((approval) => approvalNodeOf(approval.nodeId)) } });
      return 'waiting';
    }
    const unfinished = ids.filter((id) => values.done[id] === undefined || (needsApproval(id) && values.approved[id] !== values.done[id]));
    if (unfinished.length === 0) {
      await stores.runs.setStatus(runId, 'completed');
      await stores.events.append(runId, { type: 'run.completed', data: {} });
      return 'completed';
    }
    const message = `run stopped before ${unfinished.map((id) => `'${id}'`).join(', ')} could run`;
    await stores.runs.setStatus(runId, 'failed', message);
    await stores.events.append(runId, { type: 'run.failed', data: { error: message } });
    return 'failed';
  });
}
