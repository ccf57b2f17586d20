// What the foreground driver tells a progress display, and the per-node state both displays keep.
import { foldRunEvent, newRunView, type NodeState, type NodeStatus, type RunEvent, type RunEventOf, type RunView, type TokenUsage } from '@storyloom/engine';

export interface ProgressReporter {
  /** The stream this display writes to; prompts and final messages go there too. */
  readonly stream: NodeJS.WriteStream;
  /** Starts the display from the run as stored (nodes already done show as such); without a run, resumes it after `stop`. */
  start(run?: RunView): void;
  event(event: RunEvent): void;
  /** A line of its own, above the live status if there is one. */
  note(text: string): void;
  /** Ends the live part so that prompts and messages can be printed below it. */
  stop(): void;
}

export interface NodeProgress {
  id: string;
  status: NodeStatus;
  startedAt?: number;
  endedAt?: number;
  /** The last streamed characters (single line), for the live display. */
  tail: string;
  /** The sub-call the last token came from (`scene-3`), to separate parallel or successive calls. */
  tokenLabel?: string;
  usage?: TokenUsage;
  error?: string;
}

const TAIL_CHARS = 240;

/**
 * The run as the engine's one fold reads its events (statuses, usage, errors, pending approvals), plus what
 * only a display keeps: when each node started and ended and the tail of its streamed text.
 */
export class RunProgress {
  readonly nodes = new Map<string, NodeProgress>();
  runStartedAt = Date.now();
  private view: RunView | undefined;
  private lastSeq = 0;

  reset(run: RunView): void {
    this.view = run;
    this.nodes.clear();
    for (const [id, state] of Object.entries(run.nodes)) this.nodes.set(id, fromState(id, state));
    this.runStartedAt = Date.now();
  }

  /** Applies an event; false for one already seen (a listener may be handed an event twice). */
  apply(event: RunEvent): boolean {
    if (event.seq <= this.lastSeq) return false;
    this.lastSeq = event.seq;
    const view = foldRunEvent(this.view ?? newRunView({ id: event.runId, pipelineId: '', version: null, inputs: {}, createdAt: event.at }, []), event);
    this.view = view;
    if (event.nodeId) this.track(event.nodeId, event);
    for (const [id, state] of Object.entries(view.nodes)) {
      const node = this.nodes.get(id) ?? fromState(id, state);
      this.nodes.set(id, Object.assign(node, { status: state.status, usage: state.usage, error: state.error }));
    }
    return true;
  }

  elapsed(node: NodeProgress, now = Date.now()): number | undefined {
    if (node.startedAt === undefined) return undefined;
    return (node.endedAt ?? now) - node.startedAt;
  }

  /** Timing and streamed text: what a display shows that a run view does not hold. */
  private track(nodeId: string, event: RunEvent): void {
    const node = this.nodes.get(nodeId) ?? { id: nodeId, status: 'pending' as NodeStatus, tail: '' };
    this.nodes.set(nodeId, node);
    const at = Date.parse(event.at) || Date.now();
    switch (event.type) {
      case 'node.started':
        node.startedAt = at;
        node.endedAt = undefined;
        node.tail = '';
        break;
      case 'node.token': {
        const label = event.data.label;
        const separator = label !== node.tokenLabel && node.tail ? ' ┊ ' : '';
        node.tokenLabel = label;
        node.tail = singleLine(node.tail + separator + event.data.text).slice(-TAIL_CHARS);
        break;
      }
      case 'node.completed':
      case 'node.failed':
        node.endedAt = at;
        break;
      case 'approval.requested':
        node.endedAt ??= at;
        break;
    }
  }
}

function fromState(id: string, state: NodeState): NodeProgress {
  return { id, status: state.status, tail: '', usage: state.usage, error: state.error };
}

export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** What went wrong, for the events that say: a node's or the run's failure, a retried call. */
export function eventMessage(event: RunEvent): string {
  return event.type === 'node.failed' || event.type === 'run.failed' || event.type === 'node.retry' ? event.data.error : '';
}

/** `retry 2 in 1.0s: 429 Too Many Requests` from a node.retry event. */
export function retryText(event: RunEventOf<'node.retry'>): string {
  const attempt = ` ${String(event.data.attempt)}`;
  const delay = ` in ${(event.data.delayMs / 1000).toFixed(1)}s`;
  const why = event.data.error;
  return `retry${attempt}${delay}${why ? `: ${why}` : ''}`;
}
