// A block of BLOCK old lines, re-encoded once none of its request/response lines is kept
// full any more: everything the typed-array columns and the slot array held for it (file
// place, compact row numbers, the URL) as one byte string of variable-length integers, most
// of them small deltas from the line before. ~10 bytes a line instead of ~50 (41 in
// typed-array columns + an 8-byte array slot), so a long session's in-memory index grows by
// a fifth of what it did. Lines that stay objects (connections, TLS outcomes, WebSocket
// messages, lines of an unusual shape, lines with no place in the file) keep their object.
//
// Records are read forward from the start of their group of GROUP lines (each group starts
// from a clean state), so a look-up decodes at most GROUP records; a cursor makes reading
// in order (ranges, exports) one record per line.
import { BLOCK } from './block-column.js';
import type { RowValues } from './compact-rows.js';
import type { SessionLine } from './events.js';

const GROUP = 64;

const KIND_OBJECT = 0;
const KIND_REQUEST = 1;
const KIND_RESPONSE = 2;
/** The line starts right after the previous one (offset = previous offset + length + 1). */
const F_NEXT = 4;
/** The line has no known place in the file (offset -1). */
const F_NO_PLACE = 8;
/** CompactRows' flags (base64, closed early) sit above these bits. */
const FLAG_SHIFT = 4;

/** One line of a block as stored before sealing. */
export interface LineToSeal {
  /** The line's object (kept as is), or null for a compact row. */
  object: SessionLine | null;
  /** For a compact row: its numbers, and the URL (requests) or null (responses). */
  row: RowValues | null;
  url: string | null;
  offset: number;
  length: number;
}

/** What a sealed line decodes to: its place, and its object or its compact row. */
export interface SealedLine {
  offset: number;
  length: number;
  object: SessionLine | null;
  row: RowValues | null;
  url: string | null;
}

export class SealedBlock {
  private readonly bytes: Uint8Array;
  private readonly groupStart: Uint32Array;
  private readonly groupObject: Uint32Array;
  private readonly objects: SessionLine[];
  private readonly urls: string[];
  /** How many lines the block holds. */
  readonly count: number;
  // The cursor: the next record's position and index, and the state decoding needs.
  private pos = 0;
  private next = -1;
  private objectAt = 0;
  private prevEnd = 0;
  private prevTime = 0;
  private prevId = 0;

  /** `lines`: the block's lines in order (BLOCK of them, or fewer in tests). */
  constructor(lines: readonly LineToSeal[]) {
    this.count = lines.length;
    const w = new ByteWriter();
    const urlIndex = new Map<string, number>();
    this.urls = [];
    this.objects = [];
    const groups = Math.ceil(lines.length / GROUP);
    this.groupStart = new Uint32Array(groups);
    this.groupObject = new Uint32Array(groups);
    let prevEnd = 0;
    let prevTime = 0;
    let prevId = 0;
    for (let k = 0; k < lines.length; k++) {
      if (k % GROUP === 0) {
        this.groupStart[k / GROUP] = w.length;
        this.groupObject[k / GROUP] = this.objects.length;
        prevEnd = -1;
        prevTime = 0;
        prevId = 0;
      }
      const l = lines[k]!;
      const row = l.object ? null : l.row;
      let head = row ? (l.url !== null ? KIND_REQUEST : KIND_RESPONSE) | (row.flags << FLAG_SHIFT) : KIND_OBJECT;
      if (l.offset < 0) head |= F_NO_PLACE;
      else if (l.offset === prevEnd) head |= F_NEXT;
      w.uint(head);
      if (!(head & (F_NO_PLACE | F_NEXT))) w.uint(l.offset);
      w.uint(l.length);
      prevEnd = l.offset < 0 ? -1 : l.offset + l.length + 1;
      if (!row) {
        this.objects.push(l.object!);
        continue;
      }
      w.int(row.time - prevTime);
      w.int(row.id - prevId);
      prevTime = row.time;
      prevId = row.id;
      w.uint(row.tuple);
      w.uint(row.size);
      if (l.url !== null) {
        let u = urlIndex.get(l.url);
        if (u === undefined) {
          u = this.urls.length;
          this.urls.push(l.url);
          urlIndex.set(l.url, u);
        }
        w.uint(u);
      } else {
        w.uint(row.send);
        w.uint(row.wait);
        w.uint(row.receive);
      }
    }
    this.bytes = w.done();
  }

  /** Line `k` of the block (0 ≤ k < its length). */
  at(k: number): SealedLine {
    const g = Math.floor(k / GROUP);
    if (!(this.next >= 0 && Math.floor(this.next / GROUP) === g && this.next <= k)) {
      this.pos = this.groupStart[g]!;
      this.next = g * GROUP;
      this.objectAt = this.groupObject[g]!;
      this.prevEnd = -1;
      this.prevTime = 0;
      this.prevId = 0;
    }
    let line = this.read();
    while (this.next <= k) line = this.read();
    return line;
  }

  /** The last line of the block that `match` accepts, or -1 (decodes whole groups, last first). */
  lastIndexWhere(match: (line: SealedLine) => boolean): number {
    for (let g = this.groupStart.length - 1; g >= 0; g--) {
      let found = -1;
      const end = Math.min(this.count, (g + 1) * GROUP);
      for (let k = g * GROUP; k < end; k++) if (match(this.at(k))) found = k;
      if (found >= 0) return found;
    }
    return -1;
  }

  private read(): SealedLine {
    if (this.next % GROUP === 0) {
      // Each group was encoded from a clean state.
      this.prevEnd = -1;
      this.prevTime = 0;
      this.prevId = 0;
    }
    const b = this.bytes;
    let pos = this.pos;
    const uint = (): number => {
      let n = 0;
      let scale = 1;
      for (;;) {
        const byte = b[pos++]!;
        n += (byte & 0x7f) * scale;
        if (byte < 0x80) return n;
        scale *= 128;
      }
    };
    const int = (): number => {
      const z = uint();
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    };
    const head = uint();
    const offset = head & F_NO_PLACE ? -1 : head & F_NEXT ? this.prevEnd : uint();
    const length = uint();
    this.prevEnd = offset < 0 ? -1 : offset + length + 1;
    const kind = head & 3;
    let out: SealedLine;
    if (kind === KIND_OBJECT) {
      out = { offset, length, object: this.objects[this.objectAt++]!, row: null, url: null };
    } else {
      const time = this.prevTime + int();
      const id = this.prevId + int();
      this.prevTime = time;
      this.prevId = id;
      const tuple = uint();
      const size = uint();
      const flags = head >> FLAG_SHIFT;
      if (kind === KIND_REQUEST) {
        const url = this.urls[uint()]!;
        out = { offset, length, object: null, row: { tuple, time, id, size, flags, send: 0, wait: 0, receive: 0 }, url };
      } else {
        const send = uint();
        const wait = uint();
        const receive = uint();
        out = { offset, length, object: null, row: { tuple, time, id, size, flags, send, wait, receive }, url: null };
      }
    }
    this.pos = pos;
    this.next++;
    return out;
  }
}

/** Growable bytes of unsigned and zigzag variable-length integers (7 bits a byte, up to 2^53). */
class ByteWriter {
  private buf = new Uint8Array(16 * 1024);
  length = 0;

  uint(n: number): void {
    if (this.length + 8 > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  int(n: number): void {
    this.uint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** The bytes written, in a buffer of their own size. */
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

