// Streamed tokens are persisted as events; one row per token would bloat the log, so tokens are gathered
// into chunks of about 50 ms or 256 characters (whichever comes first), one buffer per call label: a
// dialogue node streams several scenes at once, and interleaved labels must not split each other's chunks.
interface Pending {
  text: string;
  timer: NodeJS.Timeout;
}

export class TokenCoalescer {
  private readonly pending = new Map<string | undefined, Pending>();

  constructor(
    private readonly emit: (text: string, label: string | undefined) => void,
    private readonly maxChars = 256,
    private readonly maxDelayMs = 50,
  ) {}

  push(text: string, label: string | undefined): void {
    let buffer = this.pending.get(label);
    if (!buffer) {
      buffer = { text: '', timer: setTimeout(() => this.flushLabel(label), this.maxDelayMs) };
      this.pending.set(label, buffer);
    }
    buffer.text += text;
    if (buffer.text.length >= this.maxChars) this.flushLabel(label);
  }

  /** Emits everything buffered, oldest label first. */
  flush(): void {
    for (const label of [...this.pending.keys()]) this.flushLabel(label);
  }

  private flushLabel(label: string | undefined): void {
    const buffer = this.pending.get(label);
    if (!buffer) return;
    clearTimeout(buffer.timer);
    this.pending.delete(label);
    if (buffer.text) this.emit(buffer.text, label);
  }
}
