// Runs one pipeline node inside the graph: builds its NodeContext (config, ancestors' memory, feedback,
// model caller wired to events), persists its output and `node.completed` in one transaction, and reuses a
// stored attempt instead of calling the model again after a crash or in a rerun.
import { type CandidateShare, candidateShares, createModelCaller, resolveModelSpec, type ModelCallerOptions } from '../models/caller';
import { shorthandOf } from '../models/spec';
import { costUsd, priceOf } from '../cost/prices';
import { estimateSpend } from '../cost/estimate';
import { BudgetGate, isBudgeted } from './budget-gate';
import { emptyUsage, sumUsage } from '../cost/usage';
import { withNodeSampling } from '../models/sampling';
import type { ModelSpecObject } from '../pipeline/schema';
import { pickCandidate } from '../review/pick';
import { sceneNoteText, type SceneNote } from '../story/types';
import { getNodeType } from '../nodes/catalogue';
import { capabilitiesOf, outputSchemaOf, type NodeContext, type NodeType, type ReviewTarget, type StoryMemory } from '../nodes/types';
import { resolveNodeConfig } from '../pipeline/config';
import { slotVisibility } from '../pipeline/slots';
import type { PipelineNode } from '../pipeline/schema';
import { StoryloomError } from '../errors';
import type { OutputSource } from '../store';
import { candidatesKey } from '../store/output-store';
import type { RunContext } from './run-context';
import type { AttemptsUpdate, RunGraphValues } from './state';
import { TokenCoalescer } from './token-coalescer';
import { hasGate, isGated } from './approval-gate';
import { noteRequestUsage, recordedModelCaller } from './recorded-model-caller';
import type { AttemptStatus, TokenUsage } from './types';
import type { StoreSet } from '../store';
import { isDatabaseUnreachable } from '../store/unreachable';
import type { RunEventOf } from '../contract/events';

/** Why a call's streamed text was started over within one request. */
const RESTARTED_UNDER_BUDGET = 'the JSON answer ran out of tokens; written again under a grammar fitted to the budget';

interface ComputeRequest {
  node: PipelineNode;
  attempt: number;
  /** Attempts current for every node when this one starts (what its memory is read from). */
  done: Record<string, number>;
  feedback: string[];
  previous?: unknown;
  /** A review's notes by scene, when it asked for this computation. */
  revisionNotes?: SceneNote[];
  source: OutputSource;
}

export class NodeExecutor {
  private readonly visible = new Map<string, Map<string, string>>();
  /** Planned once per drive: the run's pipeline snapshot never changes while it is driven. */
  private visibility: ((nodeId: string) => Map<string, string>) | undefined;
  private readonly configs = new Map<string, unknown>();
  private readonly modelSpecs = new Map<string, ModelSpecObject>();
  /** Stored attempts never change, so each is read and parsed once per drive (a chain's memory grows with its length). */
  private readonly outputCache = new Map<string, unknown>();
  /**
   * Token buffers of the nodes computing now. A node's buffered tokens are emitted before its next
   * lifecycle event, and a reviewer's before its target's revision starts, so `seq` order is what happened.
   */
  private readonly tokenBuffers = new Map<string, TokenCoalescer>();
  private readonly budget: BudgetGate | undefined;
  /** Node computations under way: a stopped drive lets them record what they spent before it settles the run. */
  private readonly computing = new Set<Promise<unknown>>();

  constructor(private readonly ctx: RunContext) {
    this.budget = isBudgeted(ctx.run) ? new BudgetGate(ctx) : undefined;
  }

  /** Parents done, and approved where they ask for approval. */
  parentsReady(nodeId: string, state: RunGraphValues): boolean {
    return (this.ctx.graph.parents.get(nodeId) ?? []).every((parent) => {
      const attempt = state.done[parent];
      if (attempt === undefined) return false;
      return !hasGate(this.ctx.nodes.get(parent)) || state.approved[parent] === attempt;
    });
  }

  async runNode(nodeId: string, state: RunGraphValues): Promise<AttemptsUpdate> {
    const attempt = this.attemptToProduce(nodeId, state);
    if (attempt === undefined || !this.parentsReady(nodeId, state)) return {};
    const { stores, run } = this.ctx;
    const stored = await stores.outputs.get(run.id, nodeId, attempt);
    if (stored) return this.adoptStored(nodeId, attempt, stored.source);

    const node = this.ctx.nodes.get(nodeId)!;
    const feedback = attempt > 1 ? await stores.approvals.feedback(run.id, nodeId) : [];
    const previous = attempt > 1 ? (await stores.outputs.get(run.id, nodeId, state.done[nodeId] ?? attempt - 1))?.output : undefined;
    if (!(await this.withinBudget(node, attempt, state, feedback))) return {};
    const revisions: Record<string, number> = {};
    await this.compute({ node, attempt, done: state.done, feedback, previous, source: 'model' }, revisions);
    return { done: { ...revisions, [nodeId]: attempt } };
  }

  /** No budget, a node without a model, within the budget, or a person let it past: it may run now. */
  private async withinBudget(node: PipelineNode, attempt: number, state: RunGraphValues, feedback: string[]): Promise<boolean> {
    const type = getNodeType(node.type);
    if (!this.budget || !type?.usesModel) return true;
    const memory = await this.memoryFor(node.id, state.done);
    return this.budget.allows(node.id, attempt, (previous) =>
      estimateSpend({
        type,
        config: this.configOf(node),
        memory,
        inputs: this.ctx.run.inputs,
        feedback,
        spec: this.modelSpecOf(node),
        candidates: node.candidates ?? 1,
        prices: this.ctx.settings.prices,
        previous,
      }),
    );
  }

  /** The attempt this node should produce now, or undefined when its current output stands. */
  private attemptToProduce(nodeId: string, state: RunGraphValues): number | undefined {
    const done = state.done[nodeId];
    const redo = state.redo[nodeId];
    if (done === undefined) return 1;
    return redo !== undefined && redo > done ? redo : undefined;
  }

  /** An attempt already stored: computed before a crash, or seeded by a rerun (reused / edited). */
  private async adoptStored(nodeId: string, attempt: number, source: OutputSource): Promise<AttemptsUpdate> {
    const seeded = source === 'reused' || source === 'edit';
    if (!seeded) return { done: { [nodeId]: attempt } };
    const { stores, run } = this.ctx;
    const status = source === 'reused' ? 'reused' : 'completed';
    await this.ctx.fenced(async (tx) => {
      const record = await tx.nodes.get(run.id, nodeId);
      if (record?.status === status) return;
      await tx.nodes.set(run.id, nodeId, { status, attempt });
      await tx.events.append(run.id, {
        type: 'node.completed',
        nodeId,
        outputAttempt: attempt,
        data: { attempt, usage: emptyUsage(), ...(source === 'reused' ? { reused: true } : { edited: true }) },
      });
    });
    // What a rerun seeds was approved in its parent run or given by a person: it does not ask again.
    return { done: { [nodeId]: attempt }, approved: { [nodeId]: attempt } };
  }

  /**
   * Resolves once every computation under way has ended (or after `limitMs`). LangGraph gives up on a step
   * as soon as the run's signal aborts, while its nodes are still writing down what their stopped calls spent.
   */
  async quiet(limitMs: number): Promise<void> {
    if (this.computing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    await Promise.race([Promise.allSettled([...this.computing]), limit]);
    clearTimeout(timer);
  }

  private compute(request: ComputeRequest, revisions: Record<string, number>): Promise<unknown> {
    const computing = this.computeNow(request, revisions);
    this.computing.add(computing);
    const forget = () => this.computing.delete(computing);
    computing.then(forget, forget);
    return computing;
  }

  private async computeNow(request: ComputeRequest, revisions: Record<string, number>): Promise<unknown> {
    const { run, signal } = this.ctx;
    const { node, attempt } = request;
    const type = getNodeType(node.type);
    if (!type) throw new StoryloomError('invalid_pipeline', `node '${node.id}' has unknown type '${node.type}'`);
    throwIfCancelled(signal);
    const config = this.configOf(node);
    const memory = await this.memoryFor(node.id, { ...request.done, ...revisions });

    await this.ctx.fenced(async (tx) => {
      await tx.nodes.set(run.id, node.id, { status: 'running', attempt: undefined });
      await tx.events.append(run.id, { type: 'node.started', nodeId: node.id, data: { attempt, ...(request.source === 'revision' ? { revision: true } : {}) } });
    });
    // Fenced like every other write: a driver that lost the run streams nothing more into its log.
    const tokens = new TokenCoalescer((text, label) =>
      this.ctx.fenced((tx) => tx.events.append(run.id, { type: 'node.token', nodeId: node.id, data: label ? { text, label } : { text } })),
    );
    this.tokenBuffers.set(node.id, tokens);
    try {
      return await this.runType(type, request, config, memory, tokens, revisions);
    } finally {
      await tokens.flush().catch(() => undefined); // a write failure here is reported by the path that failed
      this.tokenBuffers.delete(node.id);
    }
  }

  private async runType(
    type: NodeType,
    request: ComputeRequest,
    config: unknown,
    memory: StoryMemory,
    tokens: TokenCoalescer,
    revisions: Record<string, number>,
  ): Promise<unknown> {
    const { stores, run, settings, signal } = this.ctx;
    const { node, attempt } = request;
    const usage = emptyUsage();
    const addUsage = (used: { inputTokens: number; outputTokens: number }, calls: number) => {
      usage.inputTokens += used.inputTokens;
      usage.outputTokens += used.outputTokens;
      usage.totalTokens += used.inputTokens + used.outputTokens;
      usage.calls += calls;
    };
    const spec = this.modelSpecOf(node);
    // The text streamed for the call so far comes before the marker that voids it; a live view starts the call's
    // text over at the marker.
    const retried = (data: RunEventOf<'node.retry'>['data']) =>
      tokens.then(() => this.ctx.fenced((tx) => tx.events.append(run.id, { type: 'node.retry', nodeId: node.id, data })));
    const callerOptions: ModelCallerOptions = {
      spec,
      env: settings.env,
      signal,
      timeoutMs: settings.modelTimeoutMs,
      maxRetries: settings.maxRetries,
      hooks: {
        onToken: (text, label) => tokens.push(text, label),
        onRetry: (info) => retried({ attempt: info.attempt, delayMs: info.delayMs, error: info.error, label: info.label }),
        // Within one request: a local model's JSON that ran out of tokens, written again under a fitted grammar.
        onRestart: (label) => retried({ attempt: 2, delayMs: 0, error: RESTARTED_UNDER_BUDGET, label }),
        onUsage: (used) => {
          addUsage(used, 1);
          noteRequestUsage(used);
        },
      },
    };
    const scope = { nodeId: node.id, nodeType: node.type, attempt, provider: spec.provider };
    const observer = settings.observer;
    const callerFor = (candidate?: CandidateShare) =>
      recordedModelCaller(
        createModelCaller(candidate ? { ...callerOptions, candidate } : callerOptions),
        this.ctx,
        { ...scope, keyPrefix: candidate ? `c${candidate.index}/` : '', countReadBack: (spent) => addUsage(spent, spent.calls) },
        observer,
      );
    const model = callerFor();
    const started = performance.now();
    const finished = (status: 'completed' | 'failed') =>
      observer?.nodeFinished?.({ runId: run.id, nodeId: node.id, nodeType: node.type, status, durationMs: performance.now() - started, usage });
    const context: NodeContext<unknown> = {
      nodeId: node.id,
      node,
      config,
      inputs: run.inputs,
      memory,
      feedback: request.feedback,
      previous: request.previous,
      ...(request.revisionNotes ? { revisionNotes: request.revisionNotes } : {}),
      model,
      signal,
    };
    const can = capabilitiesOf(type);
    if (can.revisesTarget) context.target = await this.reviewTarget(node.id, config, request.done, revisions);

    let output: unknown;
    let candidates: unknown[] | undefined;
    try {
      const count = request.source === 'model' && can.writesCandidates ? (node.candidates ?? 1) : 1;
      if (count > 1) {
        // Every candidate is the node's own work with its own caller; text calls share one `n` request.
        candidates = await Promise.all(
          candidateShares(count).map(async (share) => {
            const written = await type.run({ ...context, variant: share.index, model: callerFor(share) });
            return checkOutput(type, config, written, node.id);
          }),
        );
        throwIfCancelled(signal);
        // At an approval the person chooses (the first is the draft); without one the checks pick.
        output = candidates[isGated(node.approval) ? 0 : pickCandidate(candidates, memory)];
      } else {
        output = await type.run(context);
        throwIfCancelled(signal);
        output = checkOutput(type, config, output, node.id);
      }
    } catch (error) {
      await tokens.flush();
      if (signal.aborted) {
        // What the stopped calls spent still counts (unless another process has taken the run over).
        await this.ctx.fenced((tx) => this.recordAttempt(tx, request, usage, 'cancelled')).catch(() => undefined);
        throw cancelledBy(signal);
      }
      // A write that lost the database (recording a model call) is no failure of the node: the drive hands the run back.
      if (isDatabaseUnreachable(error)) throw error;
      const message = `node '${node.id}' (${node.type}) failed: ${errorMessage(error)}`;
      finished('failed');
      await this.ctx.fenced(async (tx) => {
        const spent = await this.recordAttempt(tx, request, usage, 'failed');
        await tx.nodes.set(run.id, node.id, { status: 'failed', error: message, usage: spent.node });
        await tx.events.append(run.id, { type: 'node.failed', nodeId: node.id, data: { attempt, error: message, usage: spent.node, attemptUsage: spent.attempt } });
      });
      throw new StoryloomError('model_error', message);
    }
    await tokens.settled();
    await this.ctx.fenced(async (tx) => {
      // The last chunk commits with the output: one transaction per finished node.
      await tokens.drainInto((text, label) => tx.events.append(run.id, { type: 'node.token', nodeId: node.id, data: label ? { text, label } : { text } }));
      const spent = await this.recordAttempt(tx, request, usage, 'completed', candidates?.length);
      await tx.outputs.put({ runId: run.id, nodeId: node.id, attempt, source: request.source, output, usage: spent.attempt });
      if (candidates) await tx.outputs.put({ runId: run.id, nodeId: candidatesKey(node.id), attempt, source: request.source, output: candidates });
      await tx.nodes.set(run.id, node.id, { status: 'completed', attempt, usage: spent.node });
      await tx.events.append(run.id, {
        type: 'node.completed',
        nodeId: node.id,
        outputAttempt: attempt,
        data: {
          attempt,
          usage: spent.node,
          attemptUsage: spent.attempt,
          ...(request.source === 'revision' ? { revision: true } : {}),
          ...(candidates ? { candidates: candidates.length } : {}),
        },
      });
    });
    finished('completed');
    return output;
  }

  /**
   * Stores one execution's tokens at its model's price and returns them with the node's total over every
   * execution so far (a reject's redraft, a review's revision and a retry after a failure all add up).
   */
  private async recordAttempt(
    tx: StoreSet,
    request: ComputeRequest,
    usage: TokenUsage,
    status: AttemptStatus,
    candidates?: number,
  ): Promise<{ attempt: TokenUsage; node: TokenUsage }> {
    const { node } = request;
    const model = usage.calls > 0 ? shorthandOf(this.modelSpecOf(node)) : undefined;
    const price = model === undefined ? undefined : priceOf(this.ctx.settings.prices, model);
    const attempt: TokenUsage = {
      ...usage,
      ...(model === undefined ? { costUsd: 0 } : price ? { costUsd: costUsd(price, usage.inputTokens, usage.outputTokens) } : { unpriced: true }),
    };
    await tx.attempts.add(this.ctx.run.id, node.id, {
      attempt: request.attempt,
      source: request.source === 'revision' ? 'revision' : 'model',
      status,
      ...(model !== undefined ? { model } : {}),
      inputTokens: attempt.inputTokens,
      outputTokens: attempt.outputTokens,
      calls: attempt.calls,
      ...(attempt.costUsd !== undefined ? { costUsd: attempt.costUsd } : {}),
      ...(candidates ? { candidates } : {}),
    });
    return { attempt, node: sumUsage(await tx.attempts.forNode(this.ctx.run.id, node.id)) };
  }

  /** A review node's handle on its target: `revise` re-runs the target's type with the notes as feedback. */
  private async reviewTarget(reviewerId: string, config: unknown, done: Record<string, number>, revisions: Record<string, number>): Promise<ReviewTarget> {
    const targetId = (config as { target?: string }).target ?? '';
    const node = this.ctx.nodes.get(targetId);
    const attempt = done[targetId];
    if (!node || attempt === undefined) throw new StoryloomError('invalid_pipeline', `review target '${targetId}' has not run`);
    const { stores, run } = this.ctx;
    const target: ReviewTarget = {
      nodeId: targetId,
      type: node.type,
      slot: node.writes ?? getNodeType(node.type)?.writes ?? targetId,
      output: (await stores.outputs.get(run.id, targetId, attempt))?.output,
      revise: async (notes: SceneNote[]) => {
        const output = await this.computeRevision(reviewerId, node, { ...done, ...revisions }, revisions, {
          feedback: notes.map(sceneNoteText),
          revisionNotes: notes,
          previous: target.output,
        });
        target.output = output;
        return output;
      },
    };
    const planner = this.plannerOf(node);
    if (planner) {
      target.replan = async (notes: string[]) => {
        const previous = await this.storedOutput(planner.node.id, revisions[planner.node.id] ?? done[planner.node.id]);
        const output = await this.computeRevision(reviewerId, planner.node, { ...done, ...revisions }, revisions, { feedback: notes, previous });
        return { slot: planner.slot, output };
      };
    }
    return target;
  }

  /**
   * The next attempt of a node a review asked for (its target's rewrite, or its planner's new plan), with memory
   * from `done`; a stored one is adopted (a resumed run does not ask again). Recorded in `revisions`.
   */
  private async computeRevision(
    reviewerId: string,
    node: PipelineNode,
    done: Record<string, number>,
    revisions: Record<string, number>,
    ask: { feedback: string[]; revisionNotes?: SceneNote[]; previous: unknown },
  ): Promise<unknown> {
    const next = (revisions[node.id] ?? done[node.id]) + 1;
    const stored = await this.ctx.stores.outputs.get(this.ctx.run.id, node.id, next);
    // The reviewer's rubric tokens so far come before the revision's `node.started`.
    await this.tokenBuffers.get(reviewerId)?.flush();
    const output = stored ? stored.output : await this.compute({ node, attempt: next, done, ...ask, source: 'revision' }, {});
    revisions[node.id] = next;
    return output;
  }

  /**
   * The planning node a review target's cards come from: the writer of the `scenes` slot it reads (else of its
   * `outline`), unless a person approves that node's output (a plan they signed off is not changed without them).
   */
  private plannerOf(target: PipelineNode): { node: PipelineNode; slot: string } | undefined {
    const type = getNodeType(target.type);
    this.visibility ??= slotVisibility(this.ctx.pipeline);
    const visible = this.visibility(target.id);
    const read = (type?.reads(this.configOf(target)) ?? []).flatMap((r) => [r.slot, ...(r.alternatives ?? [])]);
    const slot = ['scenes', 'outline'].find((name) => read.includes(name) && visible.has(name));
    const node = slot ? this.ctx.nodes.get(visible.get(slot)!) : undefined;
    if (!slot || !node || hasGate(node)) return undefined;
    return { node, slot };
  }

  /** The run's, node's and pipeline's models and the environment are fixed for a drive: resolved once per node. */
  private modelSpecOf(node: PipelineNode): ModelSpecObject {
    let spec = this.modelSpecs.get(node.id);
    if (!spec) {
      spec = withNodeSampling(resolveModelSpec([this.ctx.run.model, node.model, this.ctx.pipeline.model], this.ctx.settings.env), node, this.ctx.run.model);
      this.modelSpecs.set(node.id, spec);
    }
    return spec;
  }

  /** Config and inputs are fixed for the run, so each node's config is parsed once per drive. */
  private configOf(node: PipelineNode): unknown {
    if (!this.configs.has(node.id)) this.configs.set(node.id, resolveNodeConfig(node, this.ctx.run.inputs));
    return this.configs.get(node.id);
  }

  private async memoryFor(nodeId: string, done: Record<string, number>): Promise<StoryMemory> {
    let slots = this.visible.get(nodeId);
    if (!slots) {
      this.visibility ??= slotVisibility(this.ctx.pipeline);
      slots = this.visibility(nodeId);
      this.visible.set(nodeId, slots);
    }
    const memory: Record<string, unknown> = {};
    for (const [slot, writer] of slots) {
      const attempt = done[writer];
      if (attempt === undefined) continue;
      memory[slot] = await this.storedOutput(writer, attempt);
    }
    return memory;
  }

  private async storedOutput(nodeId: string, attempt: number): Promise<unknown> {
    const key = `${nodeId}#${attempt}`;
    if (!this.outputCache.has(key)) this.outputCache.set(key, (await this.ctx.stores.outputs.get(this.ctx.run.id, nodeId, attempt))?.output);
    return this.outputCache.get(key);
  }
}

function checkOutput(type: NodeType, config: unknown, output: unknown, nodeId: string): unknown {
  const parsed = outputSchemaOf(type, config).safeParse(output);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(output)'}: ${issue.message}`);
  throw new StoryloomError('model_error', `output of '${nodeId}' does not fit the ${type.type} schema (${problems.slice(0, 3).join('; ')})`);
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledBy(signal);
}

function cancelledBy(signal: AbortSignal): StoryloomError {
  return signal.reason instanceof StoryloomError ? signal.reason : new StoryloomError('cancelled', 'run cancelled');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
