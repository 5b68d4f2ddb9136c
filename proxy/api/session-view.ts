// What the UI is looking at: the engine's live session, or a recorded file opened
// read-only. Both are judged by the same judge, so a reopened file shows the verdicts the
// live session showed. Live lines are not mirrored here (a long session keeps its old lines
// as compact rows in the engine); they are read by index range, and `generation` tells a
// caller that awaited whether the lines it indexed are still the ones shown.
import { open as openFile, readFile } from 'node:fs/promises';
import { judge } from '../judge/index.js';
import { REPORT_SCHEMA, type Report } from '../judge/report-types.js';
import { importHar, looksLikeHar } from '../session/har-import.js';
import type { SessionLine } from '../session/events.js';
import { notASessionMessage } from '../session/not-a-session.js';
import { readSession } from '../session/reader.js';
import type { EngineControl } from './engine-port.js';
import type { ViewInfo } from './protocol.js';

export type { ViewInfo };

export type ViewChange =
  /**
   * `json`: the line's JSON text when the recording had it (saves stringifying it again), else
   * null. `line` may be the recorded line itself: a listener must not keep it (see subscribe).
   */
  | { kind: 'line'; index: number; line: SessionLine; json: string | null }
  | { kind: 'reset'; view: ViewInfo };

interface OpenedFile {
  file: string;
  lines: SessionLine[];
  warnings: string[];
  source: 'session' | 'har';
}

export class SessionView {
  /** Lines of the live session the view has been told about (the engine may be one ahead in a callback). */
  private liveCount: number;
  private opened: OpenedFile | null = null;
  private cachedReport: Report | null = null;
  /** Changes whenever lines() stops naming the same lines (a new session, a file opened or closed). */
  private generation = 0;
  private readonly listeners = new Set<(change: ViewChange) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly engine: EngineControl) {
    this.liveCount = engine.lineCount();
    // The view keeps no line (it reads ranges back) and its one listener, the live socket,
    // keeps only the JSON text: the recording need not build a copy per line for it.
    this.unsubscribe = engine.subscribe((line, json) => this.onLiveLine(line, json ?? null), { keepsLines: false });
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  /** Listens to lines (live view only) and view resets; returns an unsubscribe function. */
  onChange(listener: (change: ViewChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): ViewInfo {
    if (this.opened) {
      return { mode: 'file', file: this.opened.file, lines: this.opened.lines.length, warnings: this.opened.warnings, source: this.opened.source };
    }
    return { mode: 'live', file: this.engine.status().sessionFile, lines: this.liveCount, warnings: [] };
  }

  lineCount(): number {
    if (this.opened) return this.opened.lines.length;
    // The engine's queued lines reach onLiveLine first: the count and the verdicts include them.
    this.engine.settle?.();
    return this.liveCount;
  }

  /** Lines from..to of the view (light copies for old live request/response lines). */
  linesFrom(from: number, to?: number): readonly SessionLine[] {
    const end = Math.min(to ?? Infinity, this.lineCount());
    if (this.opened) return this.opened.lines.slice(from, end);
    return from >= end ? [] : this.engine.linesFrom(from, end);
  }

  /** Every line of the view; O(n) — for exports and reports, not per request. */
  lines(): readonly SessionLine[] {
    return this.linesFrom(0);
  }

  /**
   * Line `index` of the view with its headers and bodies: an opened file holds them already;
   * an evicted live line is read back from the session file by the engine.
   */
  async fullLine(index: number): Promise<SessionLine | null> {
    const line = this.linesFrom(index, index + 1)[0];
    if (!line) return null;
    if (this.opened || !isEvicted(line)) return line;
    const generation = this.generation;
    const full = (await this.engine.fullLine?.(index)) ?? null;
    // A new session or an opened file meanwhile: the index no longer names this line.
    if (this.generation !== generation) return null;
    return full;
  }

  /** All lines of the view, evicted ones read back in full (for exports); unreadable ones stay light. */
  async fullLines(): Promise<readonly SessionLine[]> {
    const lines = this.lines();
    if (!lines.some(isEvicted)) return lines;
    const out = [...lines];
    const evicted = out.flatMap((l, i) => (isEvicted(l) ? [i] : []));
    for (let i = 0; i < evicted.length; i += 64) {
      await Promise.all(
        evicted.slice(i, i + 64).map(async (index) => {
          const full = await this.fullLine(index);
          if (full) out[index] = full;
        }),
      );
    }
    return out;
  }

  report(): Report {
    if (!this.opened) this.engine.settle?.();
    if (this.cachedReport === null) {
      // A HAR file has no TLS outcomes: judging its requests alone would make up verdicts
      // (every http:// URL "cleartext") that no recording supports. Live: the engine's
      // incremental verdicts (no re-judging of the whole session).
      this.cachedReport = this.opened?.source === 'har'
        ? { schema: REPORT_SCHEMA, session: { file: this.opened.file, started: this.opened.lines[0]?.time ?? null, ended: null, connections: 0 }, hosts: [] }
        : !this.opened && this.engine.report ? this.engine.report() : judge(this.lines(), { file: this.info().file });
    }
    return this.cachedReport;
  }

  /** Opens a recorded session read-only; the live session keeps recording meanwhile. */
  async open(file: string): Promise<ViewInfo> {
    if (looksLikeHar(file, await fileHead(file))) {
      // Read whole (HAR is one JSON document); an error leaves the current view as it was.
      const text = await readFile(file, 'utf8').catch((err: Error) => {
        throw new Error(`cannot read ${file}: ${err.message}`);
      });
      const har = importHar(text, file);
      this.opened = { file, lines: har.events, warnings: har.warnings, source: 'har' };
      return this.reset();
    }
    const read = await readSession(file);
    const wrongFile = await notASessionMessage(file, read);
    if (wrongFile) throw new Error(wrongFile);
    const lines: SessionLine[] = read.header ? [read.header, ...read.events] : [...read.events];
    this.opened = { file, lines, warnings: read.warnings, source: 'session' };
    return this.reset();
  }

  /** Back to the live session. */
  backToLive(): ViewInfo {
    this.opened = null;
    return this.reset();
  }

  /** Re-reads the engine's line count, e.g. after it started a new session file. */
  resync(): ViewInfo {
    this.liveCount = this.engine.lineCount();
    return this.reset();
  }

  private reset(): ViewInfo {
    this.generation++;
    this.cachedReport = null;
    const view = this.info();
    this.emit({ kind: 'reset', view });
    return view;
  }

  private onLiveLine(line: SessionLine, json: string | null): void {
    if (line.type === 'session') {
      // A header starts a new session file: the old lines are no longer the live session.
      this.liveCount = 1;
      if (!this.opened) this.reset();
      else this.generation++;
      return;
    }
    this.liveCount++;
    if (this.opened) return;
    this.cachedReport = null;
    this.emit({ kind: 'line', index: this.liveCount - 1, line, json });
  }

  private emit(change: ViewChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function isEvicted(line: SessionLine): boolean {
  return (line.type === 'request' || line.type === 'response') && line.evicted === true;
}

/** The first bytes of a file as text (to tell HAR from a session before reading it whole). */
async function fileHead(file: string): Promise<string> {
  const handle = await openFile(file, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
