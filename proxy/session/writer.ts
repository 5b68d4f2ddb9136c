// Append-only session file, written in batches: lines collect in memory for at most
// BATCH_MS and go to the file in one synchronous write, in event order (SPEC "Session file").
// A process killed with SIGKILL loses at most the lines of the last BATCH_MS; a clean stop,
// process exit or crash handler flushes first and loses nothing (docs/formats.md).
//
// Write errors (a full disk) never throw out of `append`: the batch that failed is cut back
// out of the file (a line is whole or absent), kept, and retried every RETRY_MS; lines that
// arrive meanwhile are not written (the caller's in-memory copy keeps them) and, once the
// disk takes bytes again, a recorded `error` line says how many were lost.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ErrorEvent, SessionHeader, SessionLine } from './events.js';
import type { LineBytes } from './recent-bytes.js';
import { CHECK_FROM_THE_UI, claimRecording, releaseRecording } from './recording-lock.js';

/** Where a written line sits in the file: byte offset and length (without the newline). */
export interface LinePlace {
  offset: number;
  length: number;
}

/** Longest a line waits in memory before it is written (SPEC: at most 10 ms). */
export const BATCH_MS = 10;
/** A batch this big is written at once, without waiting for BATCH_MS. */
const MAX_BATCH_BYTES = 1 << 20;
/**
 * The batch buffer is kept across batches up to this size: room for a line with a body at
 * the 1 MiB cap (base64), so recording large answers does not allocate a buffer per line.
 * Small lines grow it only to what one BATCH_MS gathers (~120 KB at 7,000 requests/s).
 */
const KEPT_BUFFER_BYTES = 2 * 1024 * 1024;
/** How often a writer stopped by a write error tries again. */
export const RETRY_MS = 1000;

/** What the writer tells its owner: a stop (with a one-line reason) or a resume. */
export type WriterTrouble =
  | { stopped: true; message: string }
  /** `line` is the `error` line the writer put in the file at `place` to record the gap. */
  | { stopped: false; message: string; line: ErrorEvent; place: LinePlace };

/** Open writers, flushed by the process `exit` handler (a crash handler that exits). */
const open = new Set<SessionWriter>();
let exitHook = false;

export class SessionWriter {
  private fd: number | null;
  private lines = 0;
  /** bytes known to be in the file */
  private size: number;
  /**
   * The batch: lines given a place but not yet written (they follow `size` in this order),
   * each encoded as UTF-8 with its newline when appended, into one buffer kept across
   * batches. Encoding once at append gives the line's byte length for free; a string kept
   * per line (then joined), a buffer per line (then concatenated), or a fresh megabyte
   * buffer per batch each showed in the per-request profile.
   */
  private buf: Buffer = Buffer.allocUnsafe(0);
  /** bytes of `buf` in use */
  private used = 0;
  /** lines among them */
  private pendingLines = 0;
  private timer: NodeJS.Timeout | null = null;
  /** set while writes fail: the reason, and how many lines were not written since */
  private stoppedBy: string | null = null;
  /** the short cause of the current stop: `disk full`, `disk quota exceeded`, an errno code */
  private stopCause: string | null = null;
  private lost = 0;
  private lostSince: string | null = null;
  /** Called by the `exit` hook before its flush: the owner appends lines it still holds. */
  beforeExitFlush: (() => void) | null = null;
  /** Where `open` wrote the header, when it wrote one. */
  headerPlace: LinePlace | null = null;
  /** Told once when recording stops on a write error and once when it resumes. */
  onTrouble: ((t: WriterTrouble) => void) | null = null;

  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const w of open) {
          w.beforeExitFlush?.();
          w.flush();
        }
      });
    }
  }

  /**
   * Opens (creating folders) for appending; a file that exists is appended to, not
   * replaced. `header` null continues an existing session file (its header stays line 1).
   * The header is written at once, so a started session always has its first line.
   */
  static open(file: string, header: SessionHeader | null): SessionWriter {
    let writer: SessionWriter;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const fd = openSync(file, 'a', 0o600);
      writer = new SessionWriter(file, fd);
    } catch (err) {
      throw new Error(`cannot write the session file ${file}: ${(err as Error).message} — choose another path with --record or --data-dir`);
    }
    if (header) {
      writer.headerPlace = writer.append(header);
      writer.flush();
    }
    return writer;
  }

  /**
   * Opens an existing session file to add lines after its last one: a file cut mid-line (a
   * killed process) gets its line ended first. Reads one byte, not the file.
   */
  static appendTo(file: string): SessionWriter {
    // A session a running Pinprobe records is its to write (recording-lock.ts); while this
    // writer appends, the file is marked as ours, so no recorder starts on it meanwhile.
    claimRecording(file, CHECK_FROM_THE_UI, 'append');
    let writer: SessionWriter;
    try {
      writer = SessionWriter.open(file, null);
    } catch (err) {
      releaseRecording(file);
      throw err;
    }
    writer.releasesMarker = true;
    let fd: number | null = null;
    try {
      fd = openSync(file, 'r');
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) writer.raw('\n');
    } finally {
      if (fd !== null) closeSync(fd);
    }
    return writer;
  }

  /**
   * The JSON text of the line the last `append` queued (null when it was not queued as one
   * string: closed, stopped, or a large body written in parts), so a caller that needs the
   * same text (the UI's live channel) does not stringify the line a second time.
   */
  lastText: string | null = null;

  /** The UTF-8 bytes of `lastText` in the batch (without the newline): valid until the next append. */
  get lastBytes(): LineBytes | null {
    return this.lastText === null ? null : this.lastLine;
  }

  /** One holder for every line (filled in by `put`), so handing out the bytes allocates nothing. */
  private readonly lastLine = new QueuedLine();

  get lineCount(): number {
    return this.lines;
  }

  /** Whether writes are failing (recording stopped until they succeed again). */
  get stopped(): string | null {
    return this.stoppedBy;
  }

  /**
   * Queues one line; returns where it will land (null once closed, or while writes fail —
   * that line is not in the file), so it can be read back after `flush`.
   */
  append(line: SessionLine): LinePlace | null {
    this.lastText = null;
    if (this.fd === null) return null;
    if (this.stoppedBy !== null) {
      this.lost++;
      this.lostSince ??= 'time' in line ? line.time : null;
      return null;
    }
    // A large body that needs no escaping (base64, plain text) goes into the batch as it is,
    // between the line's other fields: no megabyte JSON string is built and dropped for it.
    const big = bigBody(line);
    if (big !== null) {
      const shell = JSON.stringify({ ...line, body: { ...big, data: BODY_MARK } });
      const at = shell.indexOf(BODY_MARK_JSON);
      // Only where the stand-in is the one place: a backend can put a NUL in its reason
      // phrase, and a copy of the mark there would swap statusText with the body.
      if (at >= 0 && shell.indexOf(BODY_MARK_JSON, at + 1) < 0) return this.putParts([shell.slice(0, at + 1), big.data, shell.slice(at + BODY_MARK_JSON.length - 1)]);
    }
    const text = JSON.stringify(line);
    this.lastText = text;
    return this.put(text, true);
  }

  /** As `put` for a line given in parts (their concatenation is the line's JSON). */
  private putParts(parts: string[]): LinePlace {
    let most = 1;
    for (const p of parts) most += Buffer.byteLength(p, 'utf8');
    this.makeRoom(most);
    const start = this.used;
    for (const p of parts) this.used += this.buf.write(p, this.used, 'utf8');
    const place = { offset: this.size + start, length: this.used - start };
    this.endLine();
    return this.queued(place);
  }

  /** Bytes that are not a line (only to terminate a cut line before appending). */
  raw(text: string): void {
    if (this.fd === null) return;
    this.put(text, false);
    this.flush();
  }

  private put(text: string, isLine: boolean): LinePlace {
    // A UTF-16 code unit is at most 3 bytes of UTF-8; a big line is measured exactly.
    this.makeRoom((text.length > 65_536 ? Buffer.byteLength(text, 'utf8') : text.length * 3) + 1);
    const length = this.buf.write(text, this.used, 'utf8');
    const place = { offset: this.size + this.used, length };
    if (isLine) this.lastLine.set(this.buf, this.used, length);
    this.used += length;
    if (isLine) this.endLine();
    return this.queued(place);
  }

  /** Room for `most` more bytes: the batch grows up to what is kept; only a line too big for that writes the batch first. */
  private makeRoom(most: number): void {
    if (this.used + most <= this.buf.length) return;
    if (this.used > 0 && this.used + most > KEPT_BUFFER_BYTES && this.stoppedBy === null) this.flush();
    if (this.used + most > this.buf.length) this.grow(this.used + most);
  }

  private endLine(): void {
    this.buf[this.used++] = 0x0a;
    this.pendingLines++;
    this.lines++;
  }

  /** After bytes were queued: a burst of big lines is written at once rather than held (memory stays bounded), else within BATCH_MS. */
  private queued(place: LinePlace): LinePlace {
    if (this.used >= MAX_BATCH_BYTES && this.stoppedBy === null) {
      this.flush();
      return place;
    }
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, BATCH_MS);
      this.timer.unref();
    }
    return place;
  }

  /** A bigger batch buffer with the pending bytes; one past the usual batch size is not kept after its flush. */
  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, Math.min(this.buf.length * 2, KEPT_BUFFER_BYTES), 64 * 1024));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  /** Writes every queued line now; false when a write error stopped it (nothing thrown). */
  flush(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd === null || this.used === 0) return this.stoppedBy === null;
    const total = this.used;
    let done = 0;
    try {
      // writeSync may write fewer bytes than asked (a nearly full disk): finish the rest.
      while (done < total) done += writeSync(this.fd, this.buf, done, total - done);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException, done);
      return false;
    }
    this.size += total;
    this.used = 0;
    this.pendingLines = 0;
    if (this.buf.length > KEPT_BUFFER_BYTES) this.buf = Buffer.allocUnsafe(0);
    if (this.stoppedBy !== null) this.resume();
    return true;
  }

  /** Cuts a partly written batch back out, so no half line stays in the file. */
  private fail(err: NodeJS.ErrnoException, written: number): void {
    if (written > 0 && this.fd !== null) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // Truncating frees space and rarely fails; if it does, the reader skips the cut line.
      }
    }
    if (this.stoppedBy === null) {
      const why = err.code === 'ENOSPC' ? 'disk full' : err.code === 'EDQUOT' ? 'disk quota exceeded' : (err.code ?? err.message);
      this.stopCause = why;
      this.stoppedBy = `recording stopped: ${why} (${this.file}) — the live session keeps every event; recording resumes when the disk takes writes again`;
      this.onTrouble?.({ stopped: true, message: this.stoppedBy });
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, RETRY_MS);
    this.timer.unref();
  }

  /** The held batch is in the file again: record the gap, then carry on as before. */
  private resume(): void {
    const lost = this.lost;
    const since = this.lostSince;
    this.stoppedBy = null;
    this.stopCause = null;
    this.lost = 0;
    this.lostSince = null;
    const message = lost === 0
      ? 'recording gap: writing to the session file failed for a while; no line was lost'
      : `recording gap: ${lost} line${lost === 1 ? '' : 's'} from ${since ?? 'the stop'} on were not written (the disk was full); the live session had them`;
    const line: ErrorEvent = { type: 'error', time: new Date().toISOString(), id: null, message };
    const place = this.put(JSON.stringify(line), true);
    // The owner keeps the line too, so its in-memory session has every line the file has.
    this.onTrouble?.({ stopped: false, message: `recording resumed (${this.file}): ${message}`, line, place });
  }

  /** Set by appendTo: close() gives back the file's marker (recording-lock.ts), once its last bytes are written. */
  private releasesMarker = false;

  /**
   * Flushes and closes; never throws (a full disk at stop loses only what it could not
   * write): `lost` lines were not written — those since the stop plus the held batch,
   * including the last line appended (session-end) — and `cause` says why.
   */
  close(): { lost: number; cause: string | null } {
    if (this.fd === null) return { lost: 0, cause: null };
    this.flush();
    const lost = this.lost + this.pendingLines;
    const cause = lost > 0 ? (this.stopCause ?? 'write error') : null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      fsyncSync(this.fd);
    } catch {
      // fsync can fail on some filesystems (e.g. pipes); the data was written already.
    }
    closeSync(this.fd);
    this.fd = null;
    if (this.releasesMarker) releaseRecording(this.file);
    this.buf = Buffer.allocUnsafe(0);
    open.delete(this);
    return { lost, cause };
  }
}

/** A queued line's bytes: its batch buffer (kept referenced even if the writer moves on to another) and where in it. */
class QueuedLine implements LineBytes {
  private buf: Buffer = Buffer.allocUnsafe(0);
  private start = 0;
  length = 0;

  set(buf: Buffer, start: number, length: number): void {
    this.buf = buf;
    this.start = start;
    this.length = length;
  }

  copyTo(target: Buffer, at: number): void {
    this.buf.copy(target, at, this.start, this.start + this.length);
  }
}

// The body's place in the line's JSON is found by a stand-in value: as JSON it is the only
// place a quote is followed by an escaped NUL (header and URL strings hold no raw NUL; a
// reason phrase may, so append() checks the mark occurs once).
const BODY_MARK = '\u0000pinprobe-body\u0000';
const BODY_MARK_JSON = JSON.stringify(BODY_MARK);
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** The line's body when it is large and JSON.stringify would write its text unchanged. */
function bigBody(line: SessionLine): { data: string } | null {
  const body = (line as { body?: { data?: unknown } }).body;
  if (!body || typeof body.data !== 'string' || body.data.length < 65_536) return null;
  return NEEDS_ESCAPE.test(body.data) ? null : (body as { data: string });
}
