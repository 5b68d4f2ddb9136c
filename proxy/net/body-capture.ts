// Keeps the first `cap` bytes of a body for the session file and counts the true size. A
// passive observer of the stream's chunks (not a stream in the path): the body flows
// through `pipe` with its backpressure, and capturing adds no stream machinery per request
// (a Transform plus `stream.pipeline` cost an AbortController, a DOMException and several
// listeners per message). It never holds more than the cap.
import { isUtf8 } from 'node:buffer';
import type { BodyRecord } from '../session/events.js';
import { noteRelayed } from './relay-garbage.js';

export const DEFAULT_BODY_CAP = 1024 * 1024;

export class BodyCapture {
  /**
   * The kept bytes, [0, keptBytes): one buffer grown by doubling up to the cap. One copy
   * per chunk into it, and none at the end: the old list of per-chunk copies cost 64
   * allocations per 1 MiB body, a concatenated copy in `record()`, and another on every
   * `head()` (called on each chunk of an answer whose status needs its body's head).
   */
  private kept: Buffer | null = null;
  private keptBytes = 0;
  /** The length the message states (Content-Length), if any: the first chunk's buffer is sized for it. */
  private stated = 0;
  size = 0;

  constructor(private readonly cap: number = DEFAULT_BODY_CAP) {}

  /**
   * The body's stated length: the buffer made at the first chunk holds that much (up to the
   * cap) at once, instead of doubling through copies. Nothing is allocated before a chunk
   * arrives, so a HEAD or 304 answer stating a length costs nothing.
   */
  expect(length: number): void {
    if (Number.isSafeInteger(length) && length > 0) this.stated = length;
  }

  /** Sees one chunk of the body (a copy of what fits under the cap is kept). */
  add(chunk: Buffer): void {
    this.size += chunk.length;
    // Every relayed body chunk passes here, captured or not: the place to count them.
    noteRelayed(chunk.length);
    const take = Math.min(chunk.length, this.cap - this.keptBytes);
    if (take <= 0) return;
    const need = this.keptBytes + take;
    if (this.kept === null || need > this.kept.length) this.grow(need);
    chunk.copy(this.kept!, this.keptBytes, 0, take);
    this.keptBytes = need;
  }

  /**
   * The first chunk gets a buffer of its size, or of the stated length (most bodies are one
   * chunk); later ones double it, up to the cap.
   */
  private grow(need: number): void {
    const old = this.kept;
    const next = Buffer.allocUnsafe(old === null ? Math.max(need, Math.min(this.cap, this.stated, FIRST_STATED_MAX)) : Math.min(this.cap, Math.max(need, old.length * 2)));
    if (old !== null) old.copy(next, 0, 0, this.keptBytes);
    this.kept = next;
  }

  /** The first bytes seen so far (for classifying an answer before the body ends); a view, not a copy. */
  head(max: number): Buffer {
    return this.kept === null ? EMPTY : this.kept.subarray(0, Math.min(max, this.keptBytes));
  }

  record(): BodyRecord {
    return toBodyRecord(this.head(this.keptBytes), this.size);
  }
}

const EMPTY = Buffer.alloc(0);
// A stated length is believed only this far at first: an answer that announces a megabyte
// and sends a few bytes (slow, lying, or cut short) must not hold the whole cap per
// connection; a true large body doubles from here (a few copies of under a megabyte).
const FIRST_STATED_MAX = 64 * 1024;

export function toBodyRecord(data: Buffer, size: number): BodyRecord {
  const truncated = size > data.length;
  // Valid UTF-8 (allowing a character cut by the cap) without NUL is stored as text.
  // isUtf8 validates natively; the old decode–re-encode–compare showed in the profile.
  const whole = truncated ? utf8Prefix(data) : data;
  if (whole !== null && isUtf8(whole) && !whole.includes(0)) {
    return { size, encoding: 'utf8', data: whole.toString('utf8'), truncated };
  }
  return { size, encoding: 'base64', data: data.toString('base64'), truncated };
}

/** `data` without a UTF-8 character the cap cut in two (at most 3 trailing bytes); null if none fits. */
function utf8Prefix(data: Buffer): Buffer | null {
  for (let drop = 0; drop <= Math.min(3, data.length); drop++) {
    const head = data.subarray(0, data.length - drop);
    if (isUtf8(head)) return head;
  }
  return null;
}

export function emptyBody(): BodyRecord {
  return { size: 0, encoding: 'utf8', data: '', truncated: false };
}
