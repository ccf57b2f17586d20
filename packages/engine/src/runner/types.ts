import type { ModelSpec, Pipeline, RunInputs } from '../pipeline/schema';

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
  error?: string;
  usage?: TokenUsage;
}

export interface PendingApproval {
  nodeId: string;
  draft: unknown;
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
  error?: string;
  createdAt: string;
  updatedAt: string;
}

export type ApprovalDecision =
  | { decision: 'approve' }
  | { decision: 'edit'; output: unknown }
  | { decision: 'reject'; feedback: string };

export interface StartRunRequest {
  pipeline: Pipeline;
  pipelineId?: string;
  version?: number | null;
  inputs: RunInputs;
  model?: ModelSpec;
  autoApprove?: boolean;
}

export interface RerunRequest {
  from: string;
  /** Replacement outputs by node id; each counts as a change. */
  edits?: Record<string, unknown>;
  /** Replacement config by node id; each counts as a change. */
  config?: Record<string, Record<string, unknown>>;
}
