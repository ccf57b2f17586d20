// An answer read from the database and trusted for a while: a question asked on every request (are there any
// users, i.e. is this a shared server?) costs one query per `maxAgeMs` instead of one per request. Changes made
// through this process call `forget`, so they count at once; changes made by other processes (a CLI adding the
// first user to a running server's database) count within `maxAgeMs`.

export class RecentAnswer<T> {
  private known: { value: T; readAt: number } | undefined;
  private pending: { generation: number; answer: Promise<T> } | undefined;
  /** Bumped by `forget`: a read that began before it may have missed the change, so its answer is not kept. */
  private generation = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The remembered answer while it is fresh; otherwise one read, shared by every caller asking meanwhile. */
  get(): Promise<T> {
    if (this.known && this.now() - this.known.readAt < this.maxAgeMs) return Promise.resolve(this.known.value);
    if (this.pending?.generation === this.generation) return this.pending.answer;
    const generation = this.generation;
    const readAt = this.now(); // aged from when the read began: what it saw may be older than when it ended
    const answer = this.read().then((value) => {
      if (generation === this.generation) this.known = { value, readAt };
      return value;
    });
    const pending = { generation, answer };
    this.pending = pending;
    // A failed read is not remembered: the next caller reads again.
    const settled = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    answer.then(settled, settled);
    return answer;
  }

  /** Drops the remembered answer (and any read under way): the next `get` reads again. */
  forget(): void {
    this.generation += 1;
    this.known = undefined;
  }
}
