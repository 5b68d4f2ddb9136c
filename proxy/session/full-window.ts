// Which request/response lines the in-memory session still keeps full: the newest `keep`
// of them, oldest first, each with where its bytes are (recent-bytes.ts) or -1 (kept as an
// object). A ring of typed arrays: the growing-then-sliced JS arrays it replaces lived about
// as long as a block of lines (~0.4 s at 10,000 requests/s), so young-generation
// collections promoted them, only for them to be collected again as old garbage.

export class FullWindow {
  private indexes = new Float64Array(16);
  private at = new Float64Array(16);
  private lengths = new Uint32Array(16);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The line index of the oldest line held (undefined when empty). */
  get oldest(): number | undefined {
    return this.count > 0 ? this.indexes[this.head] : undefined;
  }

  /** Where the oldest line's bytes are (< 0: kept as an object), and how many. */
  get oldestAt(): number {
    return this.at[this.head]!;
  }

  get oldestLength(): number {
    return this.lengths[this.head]!;
  }

  add(index: number, at: number, length: number): void {
    if (this.count === this.indexes.length) this.grow();
    const k = (this.head + this.count) % this.indexes.length;
    this.indexes[k] = index;
    this.at[k] = at;
    this.lengths[k] = length;
    this.count++;
  }

  dropOldest(): void {
    if (this.count === 0) return;
    this.head = (this.head + 1) % this.indexes.length;
    this.count--;
  }

  /** Where line `index`'s bytes are (and how many) when it is held and kept as bytes; null otherwise. */
  bytesOf(index: number): { at: number; length: number } | null {
    const cap = this.indexes.length;
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0 || index < this.indexes[this.head]! || index > this.indexes[(this.head + hi) % cap]!) return null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = (this.head + mid) % cap;
      const v = this.indexes[k]!;
      if (v === index) return this.at[k]! >= 0 ? { at: this.at[k]!, length: this.lengths[k]! } : null;
      if (v < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Twice the room, the held lines first and in order (only while the window first fills). */
  private grow(): void {
    const cap = this.indexes.length;
    const order = (a: Float64Array | Uint32Array, next: Float64Array | Uint32Array): void => {
      next.set(a.subarray(this.head));
      next.set(a.subarray(0, this.head), cap - this.head);
    };
    const indexes = new Float64Array(cap * 2);
    const at = new Float64Array(cap * 2);
    const lengths = new Uint32Array(cap * 2);
    order(this.indexes, indexes);
    order(this.at, at);
    order(this.lengths, lengths);
    this.indexes = indexes;
    this.at = at;
    this.lengths = lengths;
    this.head = 0;
  }
}
