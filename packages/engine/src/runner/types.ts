import type { ModelSpec, Pipeline, RunInputs } from '../pipeline/schema';
import type { Actor } from '../contract/actor';

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const NODE_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'reused'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const EVENT_TYPES = [
  'run.started',
  'node.started',
  'node.token',
  'node.retry',
  'node.completed',
  'node.failed',
  'approval.requested',
  'approval.resolved',
  'run.waiting',
  'run.completed',
  'run.failed',
  'run.cancelled',
] as const;
export type RunEventType = (typeof EVENT_TYPES)[number];

/** One entry of a run's ordered, persisted event log. `seq` counts 1, 2, 3 … per run. */
export interface RunEvent {
  seq: number;
  runId: string;
  type: RunEventType;
  nodeId?: string;
  at: string;
  data: Record<string, unknown>;
  /** The person whose request caused this event (a start, a decision, a cancel …); absent for the engine's own steps. */
  actor?: Actor;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  calls: number;
}

export interface NodeState {
  status: NodeStatus;
  output?: unknown;
  /** A node with `candidates`: every alternative its current output was chosen from. */
  candidates?: unknown[];
  error?: string;
  usage?: TokenUsage;
}

export interface PendingApproval {
  nodeId: string;
  draft: unknown;
  /** A node with `candidates`: every alternative it wrote (`draft` is the first); decide with `choose`. */
  candidates?: unknown[];
  /** `policy`: a review's content-policy checks flagged its text (the flags are in `draft.policy`). */
  kind?: 'policy';
}

/** A pending approval as the inbox across runs lists it. */
export interface InboxEntry extends PendingApproval {
  runId: string;
  pipelineId: string;
  requestedAt: string;
  startedBy?: Actor;
  /** Who the gate is for, in words ("reviewers", "ana or ben"); absent when anyone who decides may. */
  assignedTo?: string;
  /** Asked with an actor: whether the gate is theirs (assigned to them, or to no one in particular). */
  mine?: boolean;
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
  /**
   * Present (true) on a `running` run that no live process drives: its lease is gone or expired (the process
   * was killed or shut down). Nothing moves it until someone resumes it.
   */
  interrupted?: boolean;
  createdAt: string;
  /** When anything about the run last changed: its status, a node starting or finishing, an approval … */
  updatedAt: string;
}

export type ApprovalDecision =
  | { decision: 'approve' }
  | { decision: 'edit'; output: unknown }
  | { decision: 'reject'; feedback: string }
  /** Keeps candidate `candidate` (0-based) of a node that wrote several; `output` replaces it, edited. */
  | { decision: 'choose'; candidate: number; output?: unknown };

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
