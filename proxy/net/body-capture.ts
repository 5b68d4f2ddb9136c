// Keeps the first `cap` bytes of a body for the session file and counts the true size. A
// passive observer of the stream's chunks (not a stream in the path): the body flows
// through `pipe` with its backpressure, and capturing adds no stream machinery per request
// (a Transform plus `stream.pipeline` cost an AbortController, a DOMException and several
// listeners per message). It never holds more than the cap.
import { isUtf8 } from 'node:buffer';
import type { BodyRecord } from '../session/events.js';

export const DEFAULT_BODY_CAP = 1024 * 1024;

export class BodyCapture {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  size = 0;

  constructor(private readonly cap: number = DEFAULT_BODY_CAP) {}

  /** Sees one chunk of the body (a copy of what fits under the cap is kept). */
  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.keptBytes < this.cap) {
      const take = chunk.subarray(0, this.cap - this.keptBytes);
      this.kept.push(Buffer.from(take));
      this.keptBytes += take.length;
    }
  }

  /** The first bytes seen so far (for classifying an answer before the body ends). */
  head(max: number): Buffer {
    return Buffer.concat(this.kept, this.keptBytes).subarray(0, max);
  }

  record(): BodyRecord {
    return toBodyRecord(Buffer.concat(this.kept, this.keptBytes), this.size);
  }
}

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
