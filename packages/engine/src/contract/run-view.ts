// A run as the API, `--json`, the CLI's progress and the editor show it: statuses, per-node state, pending
// approvals, and the requests that start, decide and re-run runs.
import type { ModelSpec, Pipeline, RunInputs } from '../pipeline/schema';
import type { Actor } from './actor';

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run does not leave by itself (a resume may still restart a failed or cancelled one). */
export const FINISHED_RUN_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];

export const NODE_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'reused'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  calls: number;
  /** Estimated USD at the price table's rates for the models used; absent when no call had a known price. */
  costUsd?: number;
  /** Some calls ran on a model the price table does not list: `costUsd` leaves them out. */
  unpriced?: boolean;
}

export type AttemptStatus = 'completed' | 'failed' | 'cancelled';

/**
 * What one execution of a node spent: a first draft, a redraft after a reject, a review's revision, a retry after
 * a failure (every candidate of a node that writes several is in the one attempt).
 */
export interface AttemptUsage extends TokenUsage {
  /** The output attempt it wrote (a failed execution keeps the number the retry then writes). */
  attempt: number;
  /** `revision`: asked for by a review's notes; `model`: any other execution. */
  source: 'model' | 'revision';
  status: AttemptStatus;
  /** `provider:model` as priced. */
  model?: string;
  candidates?: number;
  at: string;
}

/** Limits on what a run may spend; the run waits at an approval of kind `budget` before a node that would pass one. */
export interface Budget {
  maxTokens?: number;
  maxCostUsd?: number;
}

export interface NodeState {
  status: NodeStatus;
  output?: unknown;
  /** A node with `candidates`: every alternative its current output was chosen from. */
  candidates?: unknown[];
  error?: string;
  /** Every attempt's usage summed (retries, redrafts, revisions, candidates). */
  usage?: TokenUsage;
  /** Each execution's own figures, oldest first. */
  attempts?: AttemptUsage[];
}

/** Why a gate asks: absent for a node's own `approval`; `policy` when a review's content-policy checks flagged its text. */
export const APPROVAL_KINDS = ['policy'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export interface PendingApproval {
  nodeId: string;
  draft: unknown;
  /** A node with `candidates`: every alternative it wrote (`draft` is the first); decide with `choose`. */
  candidates?: unknown[];
  /** `policy`: a review's content-policy checks flagged its text (the flags are in `draft.policy`). */
  kind?: ApprovalKind;
}

/** A run as the API and `--json` show it. */
export interface RunView {
  id: string;
  pipelineId: string;
  version: number | null;
  status: RunStatus;
  inputs: RunInputs;
  model?: ModelSpec;
  nodes: Record<string, NodeState>;
  pending: PendingApproval[];
  parentRunId?: string;
  /** Who started the run (or the rerun); absent for runs started before anyone was identified. */
  startedBy?: Actor;
  error?: string;
  /** Every node's usage summed. */
  usage?: TokenUsage;
  /** What the run may spend (the run's own, else its pipeline's); absent once a person let it go on past it. */
  budget?: Budget;
  /**
   * Present (true) on a `running` run that no live process drives: its lease is gone or expired (the process
   * was killed or shut down). Nothing moves it until someone resumes it.
   */
  interrupted?: boolean;
  createdAt: string;
  /** When anything about the run last changed: its status, a node starting or finishing, an approval … */
  updatedAt: string;
}

export const APPROVAL_DECISIONS = ['approve', 'edit', 'reject', 'choose'] as const;

export type ApprovalDecision =
  | { decision: 'approve' }
  | { decision: 'edit'; output: unknown }
  | { decision: 'reject'; feedback: string }
  /** Keeps candidate `candidate` (0-based) of a node that wrote several; `output` replaces it, edited. */
  | { decision: 'choose'; candidate: number; output?: unknown };

export type ApprovalDecisionName = ApprovalDecision['decision'];

export interface StartRunRequest {
  pipeline: Pipeline;
  pipelineId?: string;
  version?: number | null;
  inputs: RunInputs;
  model?: ModelSpec;
  autoApprove?: boolean;
  /** The person starting it: recorded on the run, its `run.started` event and the audit list. */
  startedBy?: Actor;
}

export interface RerunRequest {
  from: string;
  /** Replacement outputs by node id; each counts as a change. */
  edits?: Record<string, unknown>;
  /**
   * Config changes by node id, merged into that node's config (shallow: a key given replaces that key, a
   * `null` value removes the key so the type's default applies, keys not named are kept). The merged
   * config is validated; each node named counts as a change.
   */
  config?: Record<string, Record<string, unknown>>;
}
