// One load per key, shared by every caller that asks while it is in flight or after it succeeded; a load
// that fails is forgotten, so the next request tries again (a model file fixed, a package installed).
export class LoadOnce<T> {
  private readonly pending = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.pending.get(key);
    if (!entry) {
      entry = load();
      entry.catch(() => this.pending.delete(key));
      this.pending.set(key, entry);
    }
    return entry;
  }

  /** Everything loaded so far (failures left out), forgetting it all: for releasing native resources. */
  async drain(): Promise<T[]> {
    const settled = await Promise.allSettled([...this.pending.values()]);
    this.pending.clear();
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }
}
