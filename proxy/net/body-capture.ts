// Keeps the first `cap` bytes of a body for the session file and counts the true size. A
// passive observer of the stream's chunks (not a stream in the path): the body flows
// through `pipe` with its backpressure, and capturing adds no stream machinery per request
// (a Transform plus `stream.pipeline` cost an AbortController, a DOMException and several
// listeners per message). It never holds more than the cap.
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
  const text = data.toString('utf8');
  // Round-trip check: valid UTF-8 (allowing a character cut by the cap) is stored as text.
  const cut = truncated ? Math.max(0, data.length - 3) : data.length;
  const utf8 = Buffer.from(text, 'utf8').subarray(0, cut).equals(data.subarray(0, cut)) && !text.includes('\u0000');
  return utf8
    ? { size, encoding: 'utf8', data: text.replace(/\uFFFD+$/, ''), truncated }
    : { size, encoding: 'base64', data: data.toString('base64'), truncated };
}

export function emptyBody(): BodyRecord {
  return { size: 0, encoding: 'utf8', data: '', truncated: false };
}
