// Reads a recorded session (JSON Lines) back into typed lines. Content problems never
// throw: a killed proxy may leave a half-written last line, and one bad line must not
// cost the tester the rest of the session. Only an unreadable file is an error.
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SessionEvent, SessionHeader } from './events.js';
import { headerProblem, shapeProblem } from './line-shape.js';

export interface ReadSessionResult {
  header: SessionHeader | null;
  events: SessionEvent[];
  warnings: string[];
}

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'connection', 'client-tls', 'request', 'response', 'websocket', 'ws-message', 'upstream',
  'passthrough', 'close', 'error', 'device-trust', 'settings', 'session-end',
]);

interface Pending {
  lineNo: number;
  problem: string;
}

/**
 * Accumulates lines one at a time. A bad line is held back until the next non-empty
 * line arrives, because only then do we know whether it was the (truncated) last one.
 */
class LineCollector {
  readonly result: ReadSessionResult = { header: null, events: [], warnings: [] };
  private lineNo = 0;
  private pending: Pending | null = null;
  private sawContent = false;
  private readonly unknownTypes = new Map<string, { count: number; first: number }>();

  constructor(private readonly name: string) {}

  push(raw: string): void {
    this.lineNo += 1;
    const line = this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') return;
    this.flushPending(false);
    const problem = this.take(line);
    if (problem) this.pending = { lineNo: this.lineNo, problem };
  }

  finish(): ReadSessionResult {
    this.flushPending(true);
    for (const [type, { count, first }] of this.unknownTypes) {
      this.result.warnings.push(
        `${this.name}:${first}: skipped ${count} line(s) of unknown event type "${type}" (written by a newer Pinprobe?)`,
      );
    }
    if (!this.sawContent) this.result.warnings.push(`${this.name}: the session file is empty`);
    return this.result;
  }

  private flushPending(isLast: boolean): void {
    if (!this.pending) return;
    const { lineNo, problem } = this.pending;
    this.pending = null;
    this.result.warnings.push(
      isLast
        ? `${this.name}:${lineNo}: skipped a truncated last line (${problem}); the recording probably stopped mid-write`
        : `${this.name}:${lineNo}: skipped an unreadable line (${problem})`,
    );
  }

  /** Returns a problem description, or null when the line was taken. */
  private take(line: string): string | null {
    this.sawContent = true;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return 'not valid JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    const record = value as Record<string, unknown>;
    const type = record['type'];
    if (typeof type !== 'string') return 'no "type" field';
    if (type === 'session') {
      const bad = headerProblem(record);
      if (bad) return bad;
      if (this.result.header === null && this.result.events.length === 0) {
        this.result.header = record as unknown as SessionHeader;
        return null;
      }
      return 'a second session header';
    }
    if (!EVENT_TYPES.has(type)) {
      const seen = this.unknownTypes.get(type);
      if (seen) seen.count += 1;
      else this.unknownTypes.set(type, { count: 1, first: this.lineNo });
      return null;
    }
    if (typeof record['time'] !== 'string') return `a "${type}" event without a "time"`;
    const malformed = shapeProblem(type, record);
    if (malformed) return malformed;
    if (this.result.header === null && this.result.events.length === 0) {
      this.result.warnings.push(`${this.name}:${this.lineNo}: the file does not start with a session header`);
    }
    this.result.events.push(record as unknown as SessionEvent);
    return null;
  }
}

/** Parses a whole session held in memory (e.g. an upload in the UI); `name` labels warnings. */
export function parseSessionText(text: string, name: string): ReadSessionResult {
  const collector = new LineCollector(name);
  for (const line of text.split(/\r?\n/)) collector.push(line);
  return collector.finish();
}

/** Streams a session file line by line; throws only when the file cannot be read. */
export async function readSession(file: string): Promise<ReadSessionResult> {
  const collector = new LineCollector(file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) collector.push(line);
  } catch (err) {
    throw new Error(`cannot read session file ${file}: ${readReason(err as NodeJS.ErrnoException, file)}`);
  } finally {
    lines.close();
    stream.destroy();
  }
  return collector.finish();
}

/** Why a session file could not be read, in words (the code kept for searching), with what to do. */
function readReason(err: NodeJS.ErrnoException, file: string): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file (ENOENT) — check the path';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${err.code}) — check the permissions of the file and its folders`;
    case 'EISDIR': {
      // A data dir keeps its sessions in sessions/.
      const newest = newestSessionIn(file) ?? newestSessionIn(join(file, 'sessions'));
      return `it is a folder (EISDIR) — name a session file${newest ? `, e.g. ${newest}` : ' in it'}`;
    }
    default:
      return err.message;
  }
}

/** The most recently written `.jsonl` file directly in `dir`, or null. */
function newestSessionIn(dir: string): string | null {
  let best: { path: string; mtime: number } | null = null;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.jsonl')) continue;
      const path = join(dir, name);
      const mtime = statSync(path).mtimeMs;
      if (best === null || mtime > best.mtime) best = { path, mtime };
    }
  } catch {
    return best?.path ?? null;
  }
  return best?.path ?? null;
}
