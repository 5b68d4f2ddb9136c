// The session file's bytes of the newest request/response lines, kept in one buffer outside
// the V8 heap, oldest first; a line is parsed back into an object only when it is read (the
// UI's range reads, the API, the live verdicts' rare look-ups). Kept as objects (a copy with
// its headers array and body string per line), the ~400 newest lines were alive at every
// young-generation collection, so each scavenge copied them and many were promoted; as bytes
// here a scavenge sees none of them, and recording builds no copy per line at all.
//
// Lines leave in the order they came (the in-memory session evicts its oldest first), so
// the live bytes are one run [start, end) of a growing position; the buffer holds them from
// `start - shift`, and when the run reaches the buffer's end it is moved back to the front
// (or into a bigger buffer).

/** Where a line's bytes can be copied from (the session writer's batch, right after the line was queued). */
export interface LineBytes {
  readonly length: number;
  copyTo(target: Buffer, at: number): void;
}

const MIN_BYTES = 256 * 1024;

export class RecentBytes {
  private buf: Buffer = Buffer.allocUnsafe(0);
  /** Positions count every byte ever added: the oldest live byte, and where the next line goes. */
  private start = 0;
  private end = 0;
  /** A position's place in `buf` is position - shift. */
  private shift = 0;

  /** Bytes held for lines not yet dropped. */
  get liveBytes(): number {
    return this.end - this.start;
  }

  /** The buffer's size (what the held bytes cost the process). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Copies a line's bytes in; returns its position. */
  add(line: LineBytes): number {
    const length = line.length;
    if (this.end - this.shift + length > this.buf.length) this.makeRoom(length);
    const at = this.end;
    line.copyTo(this.buf, at - this.shift);
    this.end += length;
    return at;
  }

  /**
   * Drops every byte before `position` (the end of a line no longer kept). A buffer grown for a
   * burst of large lines is given back once the held bytes are a small part of it: waiting
   * for the next wrap could take tens of thousands of small lines, while the kernel maps in
   * every page the writes pass.
   */
  dropBefore(position: number): void {
    if (position <= this.start) return;
    this.start = Math.min(position, this.end);
    if (this.buf.length > SHRINK_FROM && (this.end - this.start) * 8 < this.buf.length) this.move(sizeFor(this.end - this.start));
  }

  /** The text of `length` bytes from `position` (which must still be held). */
  text(position: number, length: number): string {
    if (position < this.start || position + length > this.end) throw new RangeError(`bytes ${position}+${length} are not held (${this.start}…${this.end})`);
    const at = position - this.shift;
    return this.buf.toString('utf8', at, at + length);
  }

  clear(): void {
    this.buf = Buffer.allocUnsafe(0);
    this.start = this.end = this.shift = 0;
  }

  /**
   * The live run goes to the front of the buffer, or into a new one when it would fill too
   * much of this one (or far too little of a big one). A new buffer is fresh memory the
   * kernel maps page by page: sized at twice the run, it was replaced at nearly every wrap
   * (page faults doubled the proxy's per-request system time), hence four times for small
   * runs; a large run (a burst of lines with big bodies) gets twice, so the buffer is never
   * more than about twice what it holds.
   */
  private makeRoom(length: number): void {
    const need = this.end - this.start + length;
    const grows = need <= BIG_RUN ? need * 2 > this.buf.length : need * 4 > this.buf.length * 3;
    if (grows || (this.buf.length > SHRINK_FROM && need * 8 < this.buf.length)) this.move(sizeFor(need));
    else {
      const from = this.start - this.shift;
      this.buf.copyWithin(0, from, from + (this.end - this.start));
      this.shift = this.start;
    }
  }

  /** The live run into a new buffer of `size` bytes. */
  private move(size: number): void {
    const from = this.start - this.shift;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, from, from + (this.end - this.start));
    this.buf = next;
    this.shift = this.start;
  }
}

/** Runs up to this size get a buffer four times their size; larger ones twice. */
const BIG_RUN = 4 * 1024 * 1024;
/** Buffers up to this size are never given back early. */
const SHRINK_FROM = 4 * MIN_BYTES;

function sizeFor(need: number): number {
  return need <= BIG_RUN ? Math.max(MIN_BYTES, need * 4) : need * 2;
}
