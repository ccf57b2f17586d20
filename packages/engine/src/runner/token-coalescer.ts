// Streamed tokens are persisted as events; one row per token would bloat the log, so tokens are gathered
// into chunks of about 50 ms or 256 characters (whichever comes first), one buffer per call label: a
// dialogue node streams several scenes at once, and interleaved labels must not split each other's chunks.
interface Pending {
  text: string;
  timer: NodeJS.Timeout;
}

type Emit = (text: string, label: string | undefined) => Promise<unknown>;

/**
 * Chunks are written one after another (each waits for the previous): on a database with a connection pool
 * two writes in flight at once could otherwise commit out of order.
 */
export class TokenCoalescer {
  private readonly pending = new Map<string | undefined, Pending>();
  private written: Promise<unknown> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly emit: Emit,
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

  /** Emits everything buffered, oldest label first, and resolves once every chunk so far is written. */
  async flush(): Promise<void> {
    for (const label of [...this.pending.keys()]) this.flushLabel(label);
    await this.settled();
  }

  /** Resolves once every chunk emitted so far is written (buffered text stays buffered). */
  async settled(): Promise<void> {
    await this.written;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Writes what is still buffered through `into` (e.g. inside the transaction that stores the output), one
   * chunk after another. Call `settled()` first, outside that transaction: a chunk still being written
   * through the pool would wait for the transaction's locks while the transaction waited for it.
   */
  async drainInto(into: Emit): Promise<void> {
    const buffered = [...this.pending.entries()];
    this.pending.clear();
    for (const [label, buffer] of buffered) {
      clearTimeout(buffer.timer);
      if (buffer.text) await into(buffer.text, label);
    }
  }

  /** Emits everything buffered, then `write` after it (e.g. a retry event that follows the failed call's text). */
  then(write: () => Promise<unknown>): void {
    for (const label of [...this.pending.keys()]) this.flushLabel(label);
    this.written = this.written.then(write).catch((error: unknown) => (this.failure ??= error));
  }

  private flushLabel(label: string | undefined): void {
    const buffer = this.pending.get(label);
    if (!buffer) return;
    clearTimeout(buffer.timer);
    this.pending.delete(label);
    if (!buffer.text) return;
    const text = buffer.text;
    this.written = this.written.then(() => this.emit(text, label)).catch((error: unknown) => (this.failure ??= error));
  }
}
