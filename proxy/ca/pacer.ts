// Runs synchronous chunks of work (laying out a leaf, building a secure context) one per
// event-loop turn, in arrival order. A burst of 50 new hosts then interleaves with the
// traffic already flowing instead of resolving 50 contexts in one microtask batch (a
// 100+ ms stall). `finish` work (the last step before a host can be served) goes before
// `start` work, so the first host asked for is not kept waiting behind the other 49; `idle`
// work (preparing for the next host) runs only when there is nothing else.
export class Pacer {
  private finishing: Array<() => void> = [];
  private starting: Array<() => void> = [];
  private idling: Array<() => void> = [];
  private running = false;

  run<T>(work: () => T | Promise<T>, kind: 'start' | 'finish' | 'idle' = 'start'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (kind === 'finish' ? this.finishing : kind === 'idle' ? this.idling : this.starting).push(() => {
        try {
          Promise.resolve(work()).then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      });
      if (!this.running) {
        this.running = true;
        setImmediate(() => this.next());
      }
    });
  }

  /** Whether `start` or `finish` work is waiting (idle work does not count: anything goes before it). */
  hasWorkQueued(): boolean {
    return this.finishing.length > 0 || this.starting.length > 0;
  }

  private next(): void {
    const task = this.finishing.shift() ?? this.starting.shift() ?? this.idling.shift();
    if (!task) {
      this.running = false;
      return;
    }
    task();
    // The loop gets a turn (I/O, timers) before the next piece of work.
    setImmediate(() => this.next());
  }
}
