// Line-per-event progress for logs and pipes (no cursor movement, no colour, no streamed tokens).
import type { RunEvent, RunView } from '@storyloom/engine';
import { formatDuration, formatUsage } from '../format';
import { RunProgress, eventMessage, retryText, type ProgressReporter } from './reporter';

export class PlainReporter implements ProgressReporter {
  private readonly progress = new RunProgress();

  constructor(readonly stream: NodeJS.WriteStream) {}

  start(run?: RunView): void {
    if (run) this.progress.reset(run);
  }

  event(event: RunEvent): void {
    if (!this.progress.apply(event)) return;
    const line = this.describe(event);
    if (line) this.write(line);
  }

  note(text: string): void {
    this.write(text);
  }

  stop(): void {}

  private describe(event: RunEvent): string | undefined {
    const node = event.nodeId ? this.progress.nodes.get(event.nodeId) : undefined;
    const id = event.nodeId ?? '';
    switch (event.type) {
      case 'run.started':
        return `run ${event.runId} started`;
      case 'node.started':
        return `${id}: started`;
      case 'node.retry':
        return `${id}: ${retryText(event)}`;
      case 'node.completed': {
        const elapsed = node ? this.progress.elapsed(node) : undefined;
        const details = [elapsed !== undefined ? formatDuration(elapsed) : '', formatUsage(node?.usage)].filter(Boolean).join(', ');
        return `${id}: completed${details ? ` (${details})` : ''}`;
      }
      case 'node.failed':
        return `${id}: failed: ${eventMessage(event)}`;
      case 'approval.requested':
        return event.data.kind === 'budget' ? `${id}: waiting at the run's budget (not run yet)` : `${id}: waiting for approval`;
      case 'approval.resolved':
        return `${id}: ${event.data.decision}`;
      // The end of the run is reported once by the driver (with what to do next).
      default:
        return undefined;
    }
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`);
  }
}
