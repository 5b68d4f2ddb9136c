// The engine's in-memory copy of the current session, for the UI and the live verdicts.
// Request/response lines keep headers and bodies only for the most recent ones; older ones
// become compact rows (compact-rows.ts: a few numbers, the URL, a shared tuple) and are read
// back from the session file by their byte place on demand. Once a whole block of BLOCK
// lines holds no full request/response line any more, its rows, places and URLs are
// re-encoded as one byte string (sealed-block.ts, ~10 bytes a line). Other lines
// (connections, TLS outcomes, upstream attempts… a few per connection, not per request)
// stay objects.
//
// Given the session file's bytes of a request/response line as it is recorded (and nobody
// holding the in-memory copies: no live listener), the newest lines are not kept as objects
// either: their row is made at once and their bytes are kept outside the heap
// (recent-bytes.ts), parsed back when one of them is read.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { BLOCK, BlockColumn } from './block-column.js';
import { CompactRows, evictedBody, NO_HEADERS, sharedTimings } from './compact-rows.js';
import type { RequestEvent, ResponseEvent, SessionLine, WebSocketMessageEvent } from './events.js';
import { FullWindow } from './full-window.js';
import { RecentBytes, type LineBytes } from './recent-bytes.js';
import { SealedBlock, type LineToSeal } from './sealed-block.js';
import type { LinePlace } from './writer.js';

/** Bodies kept in memory for the UI; the session file keeps up to the full body cap. */
export const MEMORY_BODY_CAP = 64 * 1024;

/**
 * Request/response lines kept in memory with their headers and bodies (the most recent
 * ones; the UI shows them without a round trip, older ones are read back from the file by
 * their place). Older ones keep only what the Traffic list and the verdicts need — ~6 KiB
 * per request otherwise, 388 MiB for a 38,800-request run. 400 lines is ~200 requests.
 * It was 2000: at a few thousand requests a second those full lines outlived two young-
 * generation collections, so every one was promoted and collected again as old garbage —
 * 400 cut the proxy's CPU per keep-alive request by ~14 µs (paired windows, 2000 vs 400,
 * docs/performance.md) and main-thread GC time by about 40%.
 */
export const MEMORY_HTTP_LINES = 400;

/**
 * A line this long or shorter is kept as its bytes (when given); a longer one as an object
 * with its body cut to MEMORY_BODY_CAP, as before (a body's characters are never fewer than
 * its JSON's bytes, so a line kept as bytes never had a body to cut).
 */
const BYTES_LINE_MAX = MEMORY_BODY_CAP;

/**
 * The in-memory copy of a request/response line (always a copy: it may be evicted in place
 * later), with bodies cut to MEMORY_BODY_CAP so a long session with large bodies does not
 * grow the process without bound (the file keeps the capped body).
 */
export function slim<T extends RequestEvent | ResponseEvent>(line: T): T {
  let body = line.body;
  if (body.data.length > MEMORY_BODY_CAP) {
    const keep = body.encoding === 'base64' ? Math.floor(MEMORY_BODY_CAP / 4) * 4 : MEMORY_BODY_CAP;
    body = { size: body.size, encoding: body.encoding, data: ownCopy(body.data.slice(0, keep)), truncated: true };
  }
  return (line.type === 'request' ? copyRequest(line, body) : copyResponse(line as ResponseEvent, body)) as T;
}

// Copies built as literals of one fixed shape, with `evicted` present from the start
// (undefined: not serialized), so evicting later only changes values. A `{ ...line }`
// copy plus adding `evicted` at eviction gave every light copy its own hidden class: a heap
// snapshot at 20,000 requests held 41,667 Maps + DescriptorArrays (~0.8 KiB per request).
function copyRequest(l: RequestEvent, body: RequestEvent['body']): RequestEvent {
  const c: RequestEvent = {
    type: l.type, time: l.time, id: l.id, conn: intern(l.conn), scheme: l.scheme, method: intern(l.method), url: l.url, host: intern(l.host),
    port: l.port, httpVersion: intern(l.httpVersion), headers: l.headers, body, clientAddress: intern(l.clientAddress), evicted: undefined,
  };
  return withExtras(l, c);
}

function copyResponse(l: ResponseEvent, body: ResponseEvent['body']): ResponseEvent {
  const c: ResponseEvent = {
    type: l.type, time: l.time, id: l.id, status: l.status, statusText: intern(l.statusText), httpVersion: intern(l.httpVersion),
    headers: l.headers, body, synthetic: l.synthetic, timings: sharedTimings(l.timings), evicted: undefined,
  };
  return withExtras(l, c);
}

/**
 * One string object for the values that repeat across a session (methods, versions, status
 * texts, hosts, connection ids, addresses): each line otherwise holds its own copy. Bounded,
 * so a session of only distinct values does not grow the table without end.
 */
const INTERNED = new Map<string, string>();
function intern(text: string): string {
  const hit = INTERNED.get(text);
  if (hit !== undefined) return hit;
  if (INTERNED.size >= 4096) INTERNED.clear();
  INTERNED.set(text, text);
  return text;
}

/** Fields this copy does not know (a newer or hand-edited file) are kept too. */
function withExtras<T extends object>(from: T, to: T): T {
  const src = from as Record<string, unknown>;
  const dst = to as Record<string, unknown>;
  for (const k of Object.keys(src)) if (!(k in dst)) dst[k] = src[k];
  return to;
}

/**
 * A WebSocket message's in-memory copy: its payload cut to MEMORY_BODY_CAP like bodies (a
 * socket may carry thousands of them; the file keeps up to the body cap).
 */
function slimMessage(line: WebSocketMessageEvent): WebSocketMessageEvent {
  const body = line.body;
  if (body.data.length <= MEMORY_BODY_CAP) return line;
  const keep = body.encoding === 'base64' ? Math.floor(MEMORY_BODY_CAP / 4) * 4 : MEMORY_BODY_CAP;
  return { ...line, body: { size: body.size, encoding: body.encoding, data: ownCopy(body.data.slice(0, keep)), truncated: true } };
}

/**
 * A string that owns its characters. V8's `slice` of a long string is a view that keeps the
 * whole original alive (a 1 MiB body behind its 64 KiB cut); copying through a buffer
 * (UTF-16, so every code unit survives, lone surrogates included) lets the original go.
 */
function ownCopy(text: string): string {
  // Latin-1 text (base64, ASCII JSON) stays a one-byte string: half the memory of UTF-16.
  const encoding = LATIN1.test(text) ? 'latin1' : 'utf16le';
  return Buffer.from(text, encoding).toString(encoding);
}
const LATIN1 = /^[\u0000-\u00ff]*$/;

/**
 * Reduces an in-memory copy to a light one in place (the UI mirrors lines by reference);
 * the session file still has it all. The new body is a fresh literal of one fixed shape.
 */
function evictInPlace(line: RequestEvent | ResponseEvent): void {
  line.headers = NO_HEADERS;
  line.body = evictedBody(line.body.size, line.body.encoding);
  line.evicted = true;
}

export function isEvicted(line: SessionLine): boolean {
  return (line.type === 'request' || line.type === 'response') && line.evicted === true;
}

/**
 * Byte places of lines loaded from an existing session file (`--record FILE`), matched in
 * order against the file's raw lines; a line that cannot be matched gets null (kept full).
 */
export function placesOf(buf: Buffer, lines: readonly SessionLine[]): Array<LinePlace | null> {
  const raw: Array<{ offset: number; length: number; text: string }> = [];
  for (let start = 0; start < buf.length; ) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    let stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    let offset = start;
    if (start === 0 && buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) offset = Math.min(3, stop);
    if (stop < offset) stop = offset;
    raw.push({ offset, length: stop - offset, text: buf.subarray(offset, stop).toString('utf8') });
    start = end + 1;
  }
  const places: Array<LinePlace | null> = [];
  let next = 0;
  for (const line of lines) {
    const want = JSON.stringify(line);
    let found = -1;
    for (let i = next; i < raw.length; i++) {
      if (sameJson(raw[i]!.text, want)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      places.push(null);
      continue;
    }
    places.push({ offset: raw[found]!.offset, length: raw[found]!.length });
    next = found + 1;
  }
  return places;
}

function sameJson(text: string, want: string): boolean {
  if (text === want) return true;
  const t = text.trim();
  if (!t.startsWith('{')) return false;
  try {
    return JSON.stringify(JSON.parse(t)) === want;
  } catch {
    return false;
  }
}


export class SessionMemory {
  /**
   * Line i as an object (kept lines), its URL (a compact request) or null (a compact
   * response), in blocks of BLOCK lines; null once the block is sealed.
   */
  private slotBlocks: Array<Array<SessionLine | string | null> | null> = [];
  private count = 0;
  /**
   * The oldest blocks, each re-encoded as one byte string once none of its request/response
   * lines is kept full (sealed-block.ts): block b is `sealed[b]` for b < sealed.length.
   */
  private sealed: SealedBlock[] = [];
  /** Where each line sits in the session file (offset -1 = unknown). */
  private readonly offsets = new BlockColumn((n) => new Float64Array(n), -1);
  private readonly lengths = new BlockColumn((n) => new Uint32Array(n));
  private readonly rows = new CompactRows();
  /** Request/response lines still full in memory, oldest first, with where their bytes are in `recent` (or -1: kept as an object). */
  private readonly full = new FullWindow();
  private readonly recent = new RecentBytes();

  constructor(private readonly keep: number = MEMORY_HTTP_LINES) {}

  get length(): number {
    return this.count;
  }

  /** Every line (compact ones as fresh light copies): O(n), for callers that want them all. */
  get lines(): readonly SessionLine[] {
    return this.slice(0);
  }

  /** Line `index` as kept in memory (a light copy, `evicted: true`, for old request/response lines). */
  line(index: number): SessionLine | undefined {
    return this.entry(index)?.line;
  }

  slice(from: number, to: number = this.count): SessionLine[] {
    const out: SessionLine[] = [];
    const end = Math.min(to, this.count);
    for (let i = Math.max(0, from); i < end; i++) out.push(this.line(i)!);
    return out;
  }

  reset(): void {
    this.slotBlocks = [];
    this.count = 0;
    this.sealed = [];
    this.offsets.clear();
    this.lengths.clear();
    this.rows.reset();
    this.full.clear();
    this.recent.clear();
  }

  /**
   * Keeps the in-memory copy of a line. Request/response lines are private copies: once
   * more than `keep` newer ones exist, the oldest becomes a compact row (or, of an unusual
   * shape, a light object: no headers, no body data, `evicted: true`) that `fullLine` reads
   * back from the file. With `bytes` (the line's JSON as the file has it, at `place`), a
   * line of the usual shape is a compact row at once and its full copy is made from those
   * bytes whenever it is read while among the newest `keep`: then the line itself is
   * returned, not a copy (the caller must not hand it on as the in-memory copy).
   */
  store(line: SessionLine, place: LinePlace | null, bytes: LineBytes | null = null): SessionLine {
    const index = this.count++;
    const b = Math.floor(index / BLOCK);
    this.offsets.set(index, place ? place.offset : -1);
    this.lengths.set(index, place ? place.length : 0);
    if (place && bytes && bytes.length <= BYTES_LINE_MAX && (line.type === 'request' || line.type === 'response')) {
      const url = this.rows.compact(index, line);
      if (url !== null) {
        this.slots(b)[index % BLOCK] = line.type === 'request' ? intern(url) : null;
        this.keptFull(index, this.recent.add(bytes), bytes.length);
        return line;
      }
    }
    const stored = line.type === 'request' || line.type === 'response' ? slim(line) : line.type === 'ws-message' ? slimMessage(line) : line;
    this.slots(b)[index % BLOCK] = stored;
    // Without a known place in the file the line could not be read back: it stays full.
    if (place && (stored.type === 'request' || stored.type === 'response')) this.keptFull(index, -1, 0);
    return stored;
  }

  /**
   * Block `b`'s slots, made whole at once: grown by push, each block's array was copied a
   * dozen times over its ~0.4 s life and young-generation collections promoted the copies.
   */
  private slots(b: number): Array<SessionLine | string | null> {
    return (this.slotBlocks[b] ??= new Array<SessionLine | string | null>(BLOCK));
  }

  /** Line `index` is among the newest full ones (its bytes at `at` in `recent`, or -1: its object); the oldest beyond `keep` are not. */
  private keptFull(index: number, at: number, length: number): void {
    this.full.add(index, at, length);
    while (this.full.size > this.keep) {
      const bytesAt = this.full.oldestAt;
      if (bytesAt >= 0) this.recent.dropBefore(bytesAt + this.full.oldestLength);
      else this.evict(this.full.oldest!);
      this.full.dropOldest();
    }
    this.sealOld();
  }

  /** Line `index` parsed from the bytes it is kept as (as the file has it); null when it is not kept as bytes (or they do not parse). */
  private parsedFromBytes(index: number): SessionLine | null {
    const b = this.full.bytesOf(index);
    if (!b) return null;
    try {
      return JSON.parse(this.recent.text(b.at, b.length)) as SessionLine;
    } catch {
      return null;
    }
  }

  /**
   * A line as the session file holds it (bodies up to the body cap, headers), read back by
   * its place; null when the index is out of range or the file no longer has it.
   */
  async fullLine(index: number, file: string): Promise<SessionLine | null> {
    const kept = this.parsedFromBytes(index);
    if (kept) return kept;
    const e = this.entry(index);
    if (!e || e.offset < 0) return e && !isEvicted(e.line) ? e.line : null;
    let text: string;
    try {
      const handle = await openFile(file, 'r');
      try {
        const buf = Buffer.alloc(e.length);
        const { bytesRead } = await handle.read(buf, 0, e.length, e.offset);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
    return sameLine(e.line, text);
  }

  /** fullLine without waiting (the live verdicts' rare look-ups of an original request and its answer). */
  fullLineSync(index: number, file: string): SessionLine | null {
    const kept = this.parsedFromBytes(index);
    if (kept) return kept;
    const e = this.entry(index);
    if (!e || e.offset < 0) return e && !isEvicted(e.line) ? e.line : null;
    if (!isCopy(e.line)) return e.line;
    let text: string;
    try {
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(e.length);
        const bytesRead = readSync(fd, buf, 0, e.length, e.offset);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return null;
    }
    return sameLine(e.line, text);
  }

  /** Index of the last line of this type with this id, or -1 (a scan from the end; rare look-ups). */
  lastIndexOf(type: 'request' | 'response', id: string): number {
    const sealedEnd = this.sealed.length * BLOCK;
    for (let i = this.count - 1; i >= sealedEnd; i--) {
      const slot = this.slotBlocks[Math.floor(i / BLOCK)]![i % BLOCK];
      if (slot === undefined) continue;
      if (slot !== null && typeof slot === 'object') {
        if (slot.type === type && slot.id === id) return i;
      } else if ((typeof slot === 'string' ? 'request' : 'response') === type && this.rows.idOf(i) === id) return i;
    }
    for (let b = this.sealed.length - 1; b >= 0; b--) {
      const k = this.sealed[b]!.lastIndexWhere((e) => e.object
        ? e.object.type === type && e.object.id === id
        : (e.url !== null ? 'request' : 'response') === type && this.rows.idFromRow(e.row!.tuple, e.row!.id) === id);
      if (k >= 0) return b * BLOCK + k;
    }
    return -1;
  }

  /** Every line as the file has it: lines kept as recorded from memory, the copies read back from the file in one read. */
  allFull(file: string): SessionLine[] {
    let buf: Buffer | null = null;
    try {
      buf = readFileSync(file);
    } catch {
      buf = null;
    }
    const out: SessionLine[] = [];
    for (let i = 0; i < this.count; i++) {
      const { line, offset, length } = this.entry(i)!;
      if (!isCopy(line) || offset < 0 || !buf) {
        out.push(line);
        continue;
      }
      const text = buf.subarray(offset, offset + length).toString('utf8');
      out.push(sameLine(line, text) ?? line);
    }
    return out;
  }

  /** Line `index` as kept in memory, with its place in the file; undefined out of range. */
  private entry(index: number): { line: SessionLine; offset: number; length: number } | undefined {
    if (!(index >= 0 && index < this.count && Number.isInteger(index))) return undefined;
    const b = Math.floor(index / BLOCK);
    const sealed = this.sealed[b];
    if (sealed) {
      const e = sealed.at(index - b * BLOCK);
      return { line: e.object ?? this.rows.fromRow(e.row!, e.url), offset: e.offset, length: e.length };
    }
    const slot = this.slotBlocks[b]![index % BLOCK]!;
    let line: SessionLine | null = slot !== null && typeof slot === 'object' ? slot : null;
    if (line === null) {
      // Among the newest lines kept as bytes: the full copy the line would have been kept as.
      const full = this.parsedFromBytes(index);
      line = full && (full.type === 'request' || full.type === 'response') ? slim(full) : this.rows.lightCopy(index, slot as string | null);
    }
    return { line, offset: this.offsets.get(index), length: this.lengths.get(index) };
  }

  /** Line `index` no longer keeps its headers and bodies in memory. */
  private evict(index: number): void {
    const slots = this.slotBlocks[Math.floor(index / BLOCK)]!;
    const old = slots[index % BLOCK];
    if (!old || typeof old !== 'object' || (old.type !== 'request' && old.type !== 'response')) return;
    evictInPlace(old);
    const url = this.rows.compact(index, old);
    if (url !== null) slots[index % BLOCK] = old.type === 'request' ? intern(url) : null;
  }

  /** Seals every whole block before the oldest request/response line still kept full. */
  private sealOld(): void {
    const frontier = this.full.oldest ?? this.count;
    while ((this.sealed.length + 1) * BLOCK <= frontier) this.seal(this.sealed.length);
  }

  private seal(b: number): void {
    const slots = this.slotBlocks[b]!;
    const lines: LineToSeal[] = [];
    for (let k = 0; k < BLOCK; k++) {
      const i = b * BLOCK + k;
      const slot = slots[k]!;
      const offset = this.offsets.get(i);
      const length = this.lengths.get(i);
      if (slot !== null && typeof slot === 'object') lines.push({ object: slot, row: null, url: null, offset, length });
      else lines.push({ object: null, row: this.rows.valuesOf(i), url: slot, offset, length });
    }
    this.sealed.push(new SealedBlock(lines));
    this.slotBlocks[b] = null;
    this.offsets.drop(b);
    this.lengths.drop(b);
    this.rows.drop(b);
  }
}

/**
 * Whether memory keeps this line as its own copy, which may differ from the file's: a
 * request, response or WebSocket message (bodies and payloads cut to MEMORY_BODY_CAP, or
 * evicted). Other lines are kept as recorded.
 */
function isCopy(line: SessionLine): boolean {
  return line.type === 'request' || line.type === 'response' || line.type === 'ws-message';
}

/** The line read back, when it is still the one in memory (same type and id). */
function sameLine(line: SessionLine, text: string): SessionLine | null {
  let full: SessionLine;
  try {
    full = JSON.parse(text) as SessionLine;
  } catch {
    return null;
  }
  // The file changed under us (replaced, or a new session began meanwhile): do not return another line.
  if (full?.type !== line.type || ('id' in line && 'id' in full && full.id !== line.id)) return null;
  return full;
}
