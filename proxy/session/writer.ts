// Append-only session file. Each line is written with one synchronous write as the event
// happens, so a process killed at any moment loses at most the line being written.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SessionHeader, SessionLine } from './events.js';

export class SessionWriter {
  private fd: number | null;
  private lines = 0;

  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
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
      if (header) writer.append(header);
      return writer;
    } catch (err) {
      throw new Error(`cannot write the session file ${file}: ${(err as Error).message} — choose another path with --record or --data-dir`);
    }
  }

  get lineCount(): number {
    return this.lines;
  }

  append(line: SessionLine): void {
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify(line) + '\n');
    this.lines++;
  }

  /** Bytes that are not a line (only to terminate a cut line before appending). */
  raw(text: string): void {
    if (this.fd !== null) writeSync(this.fd, text);
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
