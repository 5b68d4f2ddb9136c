// The engine's in-memory copy of the current session, for the UI and the live verdicts.
// Request/response lines keep headers and bodies only for the most recent ones; older ones
// are reduced in place and read back from the session file by their byte place on demand.
import { open as openFile } from 'node:fs/promises';
import type { RequestEvent, ResponseEvent, SessionLine } from './events.js';
import type { LinePlace } from './writer.js';

/** Bodies kept in memory for the UI; the session file keeps up to the full body cap. */
export const MEMORY_BODY_CAP = 64 * 1024;

/**
 * Request/response lines kept in memory with their headers and bodies (the most recent
 * ones; the UI shows them without a round trip). Older ones keep only what the Traffic list
 * and the verdicts need — ~6 KiB per request otherwise, 388 MiB for a 38,800-request run.
 * 2000 lines is ~1000 requests, ~6 MiB (up to 2000 × 64 KiB with large bodies).
 */
export const MEMORY_HTTP_LINES = 2000;

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

/** Timings are a few small integers and repeat a lot: equal ones share one frozen object. */
const TIMINGS = new Map<string, ResponseEvent['timings']>();
function sharedTimings(t: ResponseEvent['timings']): ResponseEvent['timings'] {
  // Only the three known fields; anything richer is kept as it is.
  if (!t || typeof t !== 'object' || Object.keys(t).length !== 3) return t;
  const key = `${t.sendMs},${t.waitMs},${t.receiveMs}`;
  let hit = TIMINGS.get(key);
  if (!hit) {
    if (TIMINGS.size >= 4096) TIMINGS.clear();
    hit = Object.freeze({ sendMs: t.sendMs, waitMs: t.waitMs, receiveMs: t.receiveMs });
    TIMINGS.set(key, hit);
  }
  return hit;
}

/** Fields this copy does not know (a newer or hand-edited file) are kept too. */
function withExtras<T extends object>(from: T, to: T): T {
  const src = from as Record<string, unknown>;
  const dst = to as Record<string, unknown>;
  for (const k of Object.keys(src)) if (!(k in dst)) dst[k] = src[k];
  return to;
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
function evict(line: RequestEvent | ResponseEvent): void {
  line.headers = NO_HEADERS;
  line.body = evictedBody(line.body.size, line.body.encoding);
  line.evicted = true;
}

/** Light copies of bodies of one size and encoding share one frozen record. */
const EVICTED_BODIES = new Map<string, RequestEvent['body']>();
function evictedBody(size: number, encoding: RequestEvent['body']['encoding']): RequestEvent['body'] {
  const key = `${encoding}${size}`;
  let body = EVICTED_BODIES.get(key);
  if (!body) {
    if (EVICTED_BODIES.size >= 4096) EVICTED_BODIES.clear();
    body = Object.freeze({ size, encoding, data: '', truncated: true });
    EVICTED_BODIES.set(key, body);
  }
  return body;
}

/** Shared by every evicted line (never mutated: a light copy's headers are not edited). */
const NO_HEADERS: RequestEvent['headers'] = Object.freeze([]) as unknown as RequestEvent['headers'];

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
  private memory: SessionLine[] = [];
  /** Where each line sits in the session file (same index; offset -1 = unknown). */
  private offsets: number[] = [];
  private lengths: number[] = [];
  /** Indexes of request/response lines still full in memory, oldest first (from `fullHead`). */
  private fullHttp: number[] = [];
  private fullHead = 0;

  constructor(private readonly keep: number = MEMORY_HTTP_LINES) {}

  get lines(): readonly SessionLine[] {
    return this.memory;
  }

  reset(): void {
    this.memory = [];
    this.offsets = [];
    this.lengths = [];
    this.fullHttp = [];
    this.fullHead = 0;
  }

  /**
   * Keeps the in-memory copy of a line. Request/response lines are private copies: once
   * more than `keep` newer ones exist, the oldest is reduced in place to a light copy (no
   * headers, no body data, `evicted: true`) that `fullLine` reads back from the file.
   */
  store(line: SessionLine, place: LinePlace | null): SessionLine {
    const index = this.memory.length;
    const stored = line.type === 'request' || line.type === 'response' ? slim(line) : line;
    this.memory.push(stored);
    this.offsets.push(place ? place.offset : -1);
    this.lengths.push(place ? place.length : 0);
    // Without a known place in the file the line could not be read back: it stays full.
    if (place && (stored.type === 'request' || stored.type === 'response')) {
      this.fullHttp.push(index);
      while (this.fullHttp.length - this.fullHead > this.keep) {
        const old = this.memory[this.fullHttp[this.fullHead++]!];
        if (old && (old.type === 'request' || old.type === 'response')) evict(old);
      }
      if (this.fullHead > 4096 && this.fullHead * 2 > this.fullHttp.length) {
        this.fullHttp = this.fullHttp.slice(this.fullHead);
        this.fullHead = 0;
      }
    }
    return stored;
  }

  /**
   * A line as the session file holds it (bodies up to the body cap, headers), read back by
   * its place; null when the index is out of range or the file no longer has it.
   */
  async fullLine(index: number, file: string): Promise<SessionLine | null> {
    const line = this.memory[index];
    const offset = this.offsets[index] ?? -1;
    const length = this.lengths[index] ?? 0;
    if (!line || offset < 0) return line && !isEvicted(line) ? line : null;
    let text: string;
    try {
      const handle = await openFile(file, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, offset);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
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
}
