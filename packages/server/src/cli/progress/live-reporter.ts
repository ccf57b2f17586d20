// Terminal progress: a block of one status line per node, redrawn in place (spinner, elapsed time, the
// tail of the text the node is streaming), with notes printed above it. Lines are cut to the terminal
// width so that the block never wraps and the redraw stays exact.
import type { RunEvent, RunView } from '@storyloom/engine';
import type { NodeStatus } from '@storyloom/engine';
import { formatDuration, formatUsage } from '../format';
import { RunProgress, eventMessage, retryText, type NodeProgress, type ProgressReporter } from './reporter';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

const ICONS: Record<NodeStatus, string> = {
  pending: '·',
  running: '',
  waiting: '⏸',
  completed: '✔',
  failed: '✖',
  skipped: '–',
  reused: '↺',
};

type Style = 'dim' | 'green' | 'red' | 'yellow' | 'cyan' | 'blue' | 'bold';
const STYLE_CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
};

const STATUS_STYLE: Record<NodeStatus, Style> = {
  pending: 'dim',
  running: 'cyan',
  waiting: 'yellow',
  completed: 'green',
  failed: 'red',
  skipped: 'dim',
  reused: 'blue',
};

export class LiveReporter implements ProgressReporter {
  private readonly progress = new RunProgress();
  private drawnLines = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly color: boolean;
  private readonly restoreCursor = () => this.stream.write('\x1b[?25h');

  constructor(
    readonly stream: NodeJS.WriteStream,
    env: NodeJS.ProcessEnv,
  ) {
    this.color = !env.NO_COLOR && env.TERM !== 'dumb';
  }

  start(run?: RunView): void {
    if (run) this.progress.reset(run);
    if (this.timer) return;
    this.stream.write('\x1b[?25l');
    process.once('exit', this.restoreCursor);
    this.timer = setInterval(() => {
      this.frame += 1;
      this.redraw();
    }, FRAME_MS);
    this.timer.unref();
    this.redraw();
  }

  event(event: RunEvent): void {
    if (!this.progress.apply(event)) return;
    const id = event.nodeId ?? '';
    switch (event.type) {
      case 'node.retry':
        return this.note(this.paint('yellow', `  ${id}: ${retryText(event)}`));
      case 'node.failed':
        return this.note(this.paint('red', `  ${id} failed: ${eventMessage(event)}`));
      case 'node.token':
        return; // shown by the next frame
      default:
        this.redraw();
    }
  }

  note(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.redraw();
    this.drawnLines = 0;
    this.restoreCursor();
    process.removeListener('exit', this.restoreCursor);
  }

  private clear(): void {
    if (this.drawnLines > 0) this.stream.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    if (!this.timer) return;
    const lines = this.render();
    this.clear();
    this.stream.write(lines.map((line) => `${line}\n`).join(''));
    this.drawnLines = lines.length;
  }

  private render(): string[] {
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const rows = Math.max(3, (this.stream.rows || 24) - 2);
    const nodes = [...this.progress.nodes.values()];
    const idWidth = Math.min(24, Math.max(...nodes.map((node) => node.id.length), 4));
    let shown = nodes;
    if (nodes.length > rows) {
      // Too many nodes for the screen: keep the ones in motion, summarise the rest.
      const active = nodes.filter((node) => node.status === 'running' || node.status === 'waiting' || node.status === 'failed');
      shown = active.slice(0, rows - 1);
    }
    const lines = shown.map((node) => this.renderNode(node, idWidth, width));
    if (shown.length < nodes.length) {
      const done = nodes.filter((node) => ['completed', 'reused', 'skipped'].includes(node.status)).length;
      lines.push(this.paint('dim', `  … ${done}/${nodes.length} nodes done`.slice(0, width)));
    }
    return lines;
  }

  private renderNode(node: NodeProgress, idWidth: number, width: number): string {
    const icon = node.status === 'running' ? SPINNER[this.frame % SPINNER.length] : ICONS[node.status];
    const elapsed = this.progress.elapsed(node);
    const head = ` ${icon} ${node.id.slice(0, idWidth).padEnd(idWidth)}  ${node.status.padEnd(9)} ${elapsed !== undefined ? formatDuration(elapsed).padStart(6) : '      '}`;
    let detail = '';
    if (node.status === 'running' && node.tail) detail = `  │ ${node.tail.trimStart()}`;
    else if (node.status === 'failed' && node.error) detail = `  ${node.error}`;
    else if (node.status === 'waiting') detail = '  waiting for approval';
    else if (node.status === 'completed') detail = formatUsage(node.usage) ? `  ${formatUsage(node.usage)}` : '';
    const room = width - head.length;
    if (room <= 4) return this.paint(STATUS_STYLE[node.status], head.slice(0, width));
    // Running nodes show the end of their text (what is being written now), others the start.
    const cut = detail.length <= room ? detail : node.status === 'running' ? `  │ …${detail.slice(detail.length - room + 5)}` : `${detail.slice(0, room - 1)}…`;
    return this.paint(STATUS_STYLE[node.status], head) + (cut ? this.paint('dim', cut) : '');
  }

  private paint(style: Style, text: string): string {
    if (!this.color) return text;
    const [on, off] = STYLE_CODES[style];
    return `\x1b[${on}m${text}\x1b[${off}m`;
  }
}
