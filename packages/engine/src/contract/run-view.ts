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

/** Which limit of a budget a node would pass. */
export type BudgetLimit = keyof Budget;

/** What a `budget` approval shows the person deciding (its `draft`). */
export interface BudgetCheck {
  budget: Budget;
  /** What the run had spent when the node was about to start. */
  spent: TokenUsage;
  /** What the node is expected to spend: its prompt's size and `maxTokens` per planned call, at its model's price. */
  estimate: TokenUsage & { model: string };
  /** The limits spent + estimate would pass. */
  passes: BudgetLimit[];
}

/** What a pipeline's runs spent on one day (UTC). */
export interface DailyUsage extends TokenUsage {
  /** `YYYY-MM-DD`. */
  day: string;
  /** Runs that spent anything that day. */
  runs: number;
}

/** A pipeline's spending per day over a period (`GET /api/pipelines/:id/cost`). */
export interface PipelineCost {
  pipelineId: string;
  /** The first day counted (`YYYY-MM-DD`, UTC); the last is today. */
  since: string;
  days: number;
  /** Every day summed; `runs` counts each run once, however many days it spent on. */
  total: TokenUsage & { runs: number };
  /** Days on which the pipeline's runs spent anything, oldest first. */
  daily: DailyUsage[];
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

/**
 * Why a gate asks: absent for a node's own `approval`; `policy` when a review's content-policy checks flagged its
 * text; `budget` before a node that would take the run past its budget (the node has not run yet).
 */
export const APPROVAL_KINDS = ['policy', 'budget'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export interface PendingApproval {
  nodeId: string;
  draft: unknown;
  /** A node with `candidates`: every alternative it wrote (`draft` is the first); decide with `choose`. */
  candidates?: unknown[];
  /**
   * `policy`: a review's content-policy checks flagged its text (the flags are in `draft.policy`). `budget`: the
   * node would take the run past its budget (`draft`: `{ budget, spent, estimate, passes }`); approve (optionally
   * with a new `budget`) or reject (cancels the run).
   */
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
  /** At a budget approval, `budget` replaces the limits it names; without one the run goes on with no budget. */
  | { decision: 'approve'; budget?: Budget }
  | { decision: 'edit'; output: unknown }
  /** `feedback` is required, except at a `budget` approval (where reject cancels the run). */
  | { decision: 'reject'; feedback?: string }
  /** Keeps candidate `candidate` (0-based) of a node that wrote several; `output` replaces it, edited. */
  | { decision: 'choose'; candidate: number; output?: unknown };

export type ApprovalDecisionName = ApprovalDecision['decision'];

export interface StartRunRequest {
  /** The pipeline to run as it is (validated); without it, the saved pipeline `pipelineId` at `version` (default its latest). */
  pipeline?: Pipeline;
  pipelineId?: string;
  /** The saved version the run records (with `pipeline`), or the one to load (without it). */
  version?: number | null;
  inputs: RunInputs;
  model?: ModelSpec;
  autoApprove?: boolean;
  /** The person starting it: recorded on the run, its `run.started` event and the audit list. */
  startedBy?: Actor;
  /** Limits for this run over the pipeline's own `budget`, limit by limit. */
  budget?: Budget;
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
