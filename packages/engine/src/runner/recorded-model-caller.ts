// Model calls that are never repeated: each completed call's reply is stored (fenced on the drive's lease)
// before the node goes on, under a key stable across re-executions (the call's label and its number among the
// node's calls with that label), and a node executed again (after a crash, on any machine) reads the reply back
// instead of sending the prompt again. Only calls in flight when a driver died are sent twice.
import type { JsonCall, ModelCaller, TextCall } from '../nodes/types';
import type { RunObserver } from './observer';
import type { RunContext } from './run-context';

export interface RecordedCallScope {
  nodeId: string;
  nodeType: string;
  attempt: number;
  provider: string;
  /** Distinguishes the callers of one node's candidates (each makes the same calls). */
  keyPrefix: string;
}

export function recordedModelCaller(inner: ModelCaller, ctx: RunContext, scope: RecordedCallScope, observer?: RunObserver): ModelCaller {
  const runId = ctx.run.id;
  const { nodeId, attempt } = scope;
  const seen = new Map<string, number>();
  const keyOf = (label: string | undefined): string => {
    const base = `${scope.keyPrefix}${label ?? ''}`;
    const index = seen.get(base) ?? 0;
    seen.set(base, index + 1);
    return `${base}#${index}`;
  };
  const report = (durationMs: number, replayed: boolean) =>
    observer?.modelCallFinished?.({ runId, nodeId, nodeType: scope.nodeType, provider: scope.provider, durationMs, replayed });

  async function once<T>(label: string | undefined, send: () => Promise<T>): Promise<T> {
    const callKey = keyOf(label); // taken before any await: parallel calls keep the order they were made in
    // The offline writer is deterministic and free: nothing to keep.
    if (inner.offline) return timed(send);
    const stored = await ctx.stores.modelCalls.get(runId, nodeId, attempt, callKey);
    if (stored) {
      report(0, true);
      return stored.reply as T;
    }
    const reply = await timed(send);
    await ctx.fenced((tx) => tx.modelCalls.put({ runId, nodeId, attempt, callKey, reply }));
    return reply;
  }

  async function timed<T>(send: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const reply = await send();
    report(performance.now() - started, false);
    return reply;
  }

  return {
    offline: inner.offline,
    text: (call: TextCall) => once(call.label, () => inner.text(call)),
    json: <T>(call: JsonCall<T>) => once(call.label, () => inner.json(call)),
  };
}
