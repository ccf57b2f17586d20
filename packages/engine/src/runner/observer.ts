// What a driving process may be told as it works, for its own metrics (a server's or worker's /metrics): each
// node execution and each model call, with how long it took. The engine keeps no metrics itself.
import type { TokenUsage } from './types';

export interface NodeExecutionInfo {
  runId: string;
  nodeId: string;
  nodeType: string;
  status: 'completed' | 'failed';
  durationMs: number;
  usage: TokenUsage;
}

export interface ModelCallInfo {
  runId: string;
  nodeId: string;
  nodeType: string;
  provider: string;
  /** Zero when `replayed`. */
  durationMs: number;
  /** Read back from the call's record (completed before a crash or on another machine): nothing was sent. */
  replayed: boolean;
}

export interface RunObserver {
  nodeFinished?(info: NodeExecutionInfo): void;
  modelCallFinished?(info: ModelCallInfo): void;
}
