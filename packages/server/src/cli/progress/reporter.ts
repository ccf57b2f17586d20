// What the foreground driver tells a progress display, and the per-node state both displays keep.
import type { NodeState, NodeStatus, RunEvent, RunView, TokenUsage } from '@storyloom/engine';

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

/** Node states folded from the run view and then from events; both displays render from this. */
export class RunProgress {
  readonly nodes = new Map<string, NodeProgress>();
  runStartedAt = Date.now();
  private lastSeq = 0;

  reset(run: RunView): void {
    this.nodes.clear();
    for (const [id, state] of Object.entries(run.nodes)) this.nodes.set(id, fromState(id, state));
    this.runStartedAt = Date.now();
  }

  /** Applies an event; false for one already seen (a listener may be handed an event twice). */
  apply(event: RunEvent): boolean {
    if (event.seq <= this.lastSeq) return false;
    this.lastSeq = event.seq;
    if (!event.nodeId) return true;
    const node = this.nodes.get(event.nodeId) ?? { id: event.nodeId, status: 'pending' as NodeStatus, tail: '' };
    this.nodes.set(event.nodeId, node);
    const at = Date.parse(event.at) || Date.now();
    switch (event.type) {
      case 'node.started':
        node.status = 'running';
        node.startedAt = at;
        node.endedAt = undefined;
        node.tail = '';
        node.error = undefined;
        break;
      case 'node.token': {
        const label = typeof event.data.label === 'string' ? event.data.label : undefined;
        const separator = label !== node.tokenLabel && node.tail ? ' ┊ ' : '';
        node.tokenLabel = label;
        node.tail = singleLine(node.tail + separator + String(event.data.text ?? '')).slice(-TAIL_CHARS);
        break;
      }
      case 'node.completed':
        node.status = 'completed';
        node.endedAt = at;
        node.usage = (event.data.usage as TokenUsage | undefined) ?? node.usage;
        break;
      case 'node.failed':
        node.status = 'failed';
        node.endedAt = at;
        node.error = eventMessage(event);
        break;
      case 'approval.requested':
        node.status = 'waiting';
        node.endedAt ??= at;
        break;
      case 'approval.resolved':
        if (decisionOf(event) !== 'reject') node.status = 'completed';
        break;
    }
    return true;
  }

  elapsed(node: NodeProgress, now = Date.now()): number | undefined {
    if (node.startedAt === undefined) return undefined;
    return (node.endedAt ?? now) - node.startedAt;
  }
}

function fromState(id: string, state: NodeState): NodeProgress {
  return { id, status: state.status, tail: '', usage: state.usage, error: state.error };
}

export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** The human part of an event's data: `error`, `message` or `reason`, whichever the engine set. */
export function eventMessage(event: RunEvent): string {
  const data = event.data ?? {};
  const value = data.error ?? data.message ?? data.reason;
  if (value === undefined) return '';
  return typeof value === 'string' ? value : (value as { message?: string }).message ?? JSON.stringify(value);
}

export function decisionOf(event: RunEvent): string | undefined {
  const decision = event.data?.decision;
  if (typeof decision === 'string') return decision;
  if (decision && typeof decision === 'object') return String((decision as { decision?: unknown }).decision ?? '');
  return undefined;
}

/** `retry 2 in 1.0s: 429 Too Many Requests` from a node.retry event. */
export function retryText(event: RunEvent): string {
  const attempt = event.data.attempt !== undefined ? ` ${String(event.data.attempt)}` : '';
  const delay = typeof event.data.delayMs === 'number' ? ` in ${(event.data.delayMs / 1000).toFixed(1)}s` : '';
  const why = eventMessage(event);
  return `retry${attempt}${delay}${why ? `: ${why}` : ''}`;
}
