// Model calls that are never repeated: each completed call's reply is stored (fenced on the drive's lease)
// before the node sends another request, under a key stable across re-executions (the call's label and its
// number among the node's calls with that label), and a node executed again (after a crash, on any machine)
// reads the reply back instead of sending the prompt again. Only calls in flight when a driver died (or answered
// in its last turn, before their record committed) are sent twice. The record commits together with what the
// node writes next (its output, for a one-call node), so a reply costs no commit of its own.
// Each reply is kept with what its requests spent: a reply read back still counts in the node's usage unless an
// execution recorded since (a failed or cancelled one, which counted what it had sent) already counted it, so a
// call is paid for once whether its execution crashed, lost its lease or failed.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallUsage } from '../store';
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
  /** Adds a read-back call's spend, not counted by any execution yet, to this execution's usage. */
  countReadBack(usage: CallUsage): void;
}

/** The spend of the recorded call whose requests run in this async context. */
const callSpend = new AsyncLocalStorage<CallUsage>();

/** Told of each request's tokens: they also count toward the recorded call that made the request. */
export function noteRequestUsage(used: { inputTokens: number; outputTokens: number }): void {
  const spent = callSpend.getStore();
  if (!spent) return;
  spent.inputTokens += used.inputTokens;
  spent.outputTokens += used.outputTokens;
  spent.calls += 1;
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

  /**
   * The last reply's record, being committed. The node goes on at once: what it writes next (its output, a token)
   * commits with the record or after it. Its next request waits for it, so a reply is on disk before the node
   * sends anything more, as before.
   */
  let recording: Promise<unknown> = Promise.resolve();

  async function once<T>(label: string | undefined, send: () => Promise<T>): Promise<T> {
    const callKey = keyOf(label); // taken before any await: parallel calls keep the order they were made in
    // The offline writer is deterministic and free: nothing to keep.
    if (inner.offline) return timed(send);
    await recording;
    const stored = await ctx.stores.modelCalls.get(runId, nodeId, attempt, callKey);
    if (stored) {
      report(0, true);
      if (stored.usage && !(await countedSince(stored.at))) scope.countReadBack(stored.usage);
      return stored.reply as T;
    }
    const usage: CallUsage = { inputTokens: 0, outputTokens: 0, calls: 0 };
    const reply = await callSpend.run(usage, () => timed(send));
    const record = ctx.fenced((tx) => tx.modelCalls.put({ runId, nodeId, attempt, callKey, reply, usage }));
    // A record that fails fails the next request; a lost lease or database fails the node's own next write.
    record.catch(() => undefined);
    recording = record;
    return reply;
  }

  /** Whether an execution of this attempt was recorded after the call was (and so counted what it spent). */
  async function countedSince(at: string | undefined): Promise<boolean> {
    const executions = await ctx.stores.attempts.forNode(runId, nodeId);
    return executions.some((execution) => execution.attempt === attempt && at !== undefined && execution.at >= at);
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
