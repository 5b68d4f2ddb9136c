// Append-only session file. Each line is written with one synchronous write as the event
// happens, so a process killed at any moment loses at most the line being written.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SessionHeader, SessionLine } from './events.js';

/** Where a written line sits in the file: byte offset and length (without the newline). */
export interface LinePlace {
  offset: number;
  length: number;
}

export class SessionWriter {
  private fd: number | null;
  private lines = 0;
  /** bytes in the file, i.e. where the next write lands (the file is opened for appending) */
  private size: number;
  /** Where `open` wrote the header, when it wrote one. */
  headerPlace: LinePlace | null = null;

  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  /**
   * Opens (creating folders) for appending; a file that exists is appended to, not
   * replaced. `header` null continues an existing session file (its header stays line 1).
   */
  static open(file: string, header: SessionHeader | null): SessionWriter {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const fd = openSync(file, 'a', 0o600);
      const writer = new SessionWriter(file, fd);
      if (header) writer.headerPlace = writer.append(header);
      return writer;
    } catch (err) {
      throw new Error(`cannot write the session file ${file}: ${(err as Error).message} — choose another path with --record or --data-dir`);
    }
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Writes one line; returns where it landed (null once closed), so it can be read back. */
  append(line: SessionLine): LinePlace | null {
    if (this.fd === null) return null;
    const bytes = Buffer.from(JSON.stringify(line) + '\n', 'utf8');
    writeSync(this.fd, bytes);
    const place = { offset: this.size, length: bytes.length - 1 };
    this.size += bytes.length;
    this.lines++;
    return place;
  }

  /** Bytes that are not a line (only to terminate a cut line before appending). */
  raw(text: string): void {
    if (this.fd === null) return;
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fsyncSync(this.fd);
    } catch {
      // fsync can fail on some filesystems (e.g. pipes); the data was written already.
    }
    closeSync(this.fd);
    this.fd = null;
  }
}
