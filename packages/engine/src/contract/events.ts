// A run's event log: every event is `{ seq, runId, type, nodeId?, at, data }`, and each type has exactly one
// `data` shape, so the server, the CLI and the editor read an event the same way and the compiler checks
// every writer and reader against it.
import type { RunInputs } from '../pipeline/schema';
import type { Actor } from './actor';
import type { ApprovalDecisionName, ApprovalKind, Budget, BudgetCheck, TokenUsage } from './run-view';

/** What each event type carries. Outputs and drafts are attached when the log is read (they live with the node's attempts). */
export interface RunEventDataMap {
  'run.started': { pipelineId: string; version: number | null; inputs: RunInputs };
  'node.started': { attempt: number; /** A review sent the node back to rewrite some scenes. */ revision?: true };
  /** Streamed text; `label` names the sub-call it came from (`scene-3`) when a node makes several. */
  'node.token': { text: string; label?: string };
  'node.retry': { attempt: number; delayMs: number; error: string; label?: string };
  'node.completed': {
    attempt: number;
    /** The node's usage over every attempt so far. */
    usage: TokenUsage;
    /** What this attempt alone spent (absent on reused and edited nodes). */
    attemptUsage?: TokenUsage;
    /** The stored output of `attempt`, attached on read. */
    output?: unknown;
    revision?: true;
    /** How many alternatives a node with `candidates` wrote. */
    candidates?: number;
    /** Taken over unchanged from the parent run of a rerun. */
    reused?: true;
    /** Given by a person (a rerun's edit) rather than written by a model. */
    edited?: true;
  };
  /** `usage`: the node's usage over every attempt, this failed one included; `attemptUsage`: this one's. */
  'node.failed': { attempt: number; error: string; usage?: TokenUsage; attemptUsage?: TokenUsage };
  'approval.requested': {
    attempt: number;
    /** The output waiting for a decision, attached on read. */
    draft?: unknown;
    /** The run approves its gates itself; an `approval.resolved` follows at once. */
    autoApprove?: true;
    kind?: ApprovalKind;
    /** A `policy` approval: the review's content-policy flags. */
    flags?: unknown[];
    /** A `budget` approval: the figures it stopped on (its draft: the node has written nothing yet). */
    check?: BudgetCheck;
  };
  'approval.resolved': {
    attempt: number;
    decision: ApprovalDecisionName;
    /** Decided by the run's own `autoApprove`. */
    auto?: true;
    /** A rejection's feedback, given to the node's next attempt. */
    feedback?: string;
    /** A `choose`: the 0-based candidate kept. */
    candidate?: number;
    /** A `budget` approval's decision. */
    kind?: ApprovalKind;
    /** A `budget` approval approved: the run's limits from now on (null: none). */
    budget?: Budget | null;
    /** An `edit` or `choose`: the output that replaces the draft, attached on read. */
    output?: unknown;
    /** Who decided (absent for `auto` decisions and for callers that name no one). */
    actor?: Actor;
  };
  /** The nodes waiting for a decision when the run stopped for them. */
  'run.waiting': { pending: string[] };
  'run.completed': Record<string, never>;
  'run.failed': { error: string };
  /** `reason: 'budget'`: a person refused to let the run past its budget before `nodeId`. */
  'run.cancelled': { reason?: 'budget'; nodeId?: string };
}

export type RunEventType = keyof RunEventDataMap;

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
] as const satisfies readonly RunEventType[];

/** Event types after which a run's log has no more events until someone resumes it. */
export const TERMINAL_EVENT_TYPES = ['run.completed', 'run.failed', 'run.cancelled'] as const satisfies readonly RunEventType[];

export type RunEventData<T extends RunEventType = RunEventType> = RunEventDataMap[T];

/** One entry of a run's ordered, persisted event log. `seq` counts 1, 2, 3 … per run. */
export type RunEvent = {
  [T in RunEventType]: {
    seq: number;
    runId: string;
    type: T;
    nodeId?: string;
    at: string;
    data: RunEventDataMap[T];
    /** The person whose request caused this event (a start, a decision, a cancel …); absent for the engine's own steps. */
    actor?: Actor;
  };
}[RunEventType];

/** The event of one type, narrowed: `RunEventOf<'node.completed'>`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

export function isRunEventType(type: unknown): type is RunEventType {
  return typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type);
}
