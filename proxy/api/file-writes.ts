// Files the control API is writing for the UI (File › Export, Save session as): a stop
// waits for them, or a Quit right after an export to a slow disk leaves it half-written.
export class FileWrites {
  private readonly pending = new Set<Promise<unknown>>();

  /** Counts `write` as in flight until it settles; returns it. */
  track<T>(write: Promise<T>): Promise<T> {
    this.pending.add(write);
    const forget = (): void => void this.pending.delete(write);
    write.then(forget, forget);
    return write;
  }

  get count(): number {
    return this.pending.size;
  }

  /** Resolves once every write started so far has finished, failed ones too. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
