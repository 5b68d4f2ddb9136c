// Recording as a feature (features/index.ts puts it first on the list): every bus event
// goes to the session file (batched writer) and to the in-memory session the UI and the
// live verdicts read. It owns the file's lifecycle — open a new file, continue an
// existing one (`--record FILE`), end it — while the engine keeps the listener and the pool.
import { readFileSync } from 'node:fs';
import type { Feature } from '../features/feature.js';
import { LiveVerdicts, type LineSource } from '../judge/live.js';
import type { Report } from '../judge/report-types.js';
import type { SessionEvent, SessionHeader, SessionLine } from './events.js';
import { MEMORY_HTTP_LINES, placesOf, SessionMemory } from './memory.js';
import { parseSessionText } from './reader.js';
import { prepareRecordDir } from './record-dir.js';
import { claimRecording, recordedElsewhereMessage, releaseRecording } from './recording-lock.js';
import type { LineBytes } from './recent-bytes.js';
import { SessionWriter, type LinePlace } from './writer.js';

/**
 * Lines wait at most this long in the recording's queue (then they are recorded together and
 * written at once: within the writer's BATCH_MS promise). 2 ms and 10 ms measured no better.
 */
export const RECORD_BATCH_MS = 5;

const RECORD_ELSEWHERE = 'choose another path with --record (or stop that Pinprobe first)';

/**
 * Gets the in-memory copy of each appended line and, when the session file has it as one
 * string with the copy's content, that JSON text (else null: stringify the copy yourself).
 * A listener subscribed with `keepsLines: false` may get the recorded line itself instead
 * of a copy (it must not keep it: only copies are evicted in place).
 */
export type LineListener = (line: SessionLine, json: string | null) => void;

export interface RecordingOptions {
  /** Request/response lines kept in memory with headers and bodies (default MEMORY_HTTP_LINES). */
  memoryHttpLines?: number;
  /** Where a recording stop/resume message goes (default: one line on stderr). */
  onTrouble?: (message: string) => void;
}

/** Lines a stop could not write to the session file (session-end among them). */
export interface UnwrittenAtEnd {
  lines: number;
  file: string;
  /** `disk full`, `disk quota exceeded`, or an errno code */
  cause: string;
}

export class SessionRecording implements Feature {
  readonly name = 'session-recording';
  private writer: SessionWriter | null = null;
  /** Lines recorded but not yet written, stored or judged (`drainQueue`), oldest first. */
  private queue: SessionLine[] = [];
  private drainTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private readonly memory: SessionMemory;
  /** Each listener, and whether it keeps lines it is given (subscribe's `keepsLines`). */
  private readonly listeners = new Map<LineListener, boolean>();
  /** Listeners that keep lines: while there is one, every line is stored as a copy that is evicted in place. */
  private keepers = 0;
  /** The verdicts, fed every line as recorded (judge/live.ts). */
  private verdicts: LiveVerdicts;
  /** What the live verdicts read back: the in-memory session and, for old lines, the file. */
  private readonly source: LineSource = {
    lastIndexOf: (type, id) => this.memory.lastIndexOf(type, id),
    full: (index) => {
      this.writer?.flush();
      return this.memory.fullLineSync(index, this.path);
    },
    all: () => {
      this.writer?.flush();
      return this.memory.allFull(this.path);
    },
  };

  constructor(private path: string, private readonly options: RecordingOptions = {}) {
    this.memory = new SessionMemory(options.memoryHttpLines ?? MEMORY_HTTP_LINES);
    this.verdicts = new LiveVerdicts(this.source);
  }

  /** The session file lines go to (the next one, between sessions). */
  get file(): string {
    return this.path;
  }

  /** Whether a session file is open (between open/continue and end). */
  get isOpen(): boolean {
    return this.writer !== null;
  }

  /** Set while the session file cannot be written (a full disk): the one-line reason. */
  get stopped(): string | null {
    return this.writer?.stopped ?? null;
  }

  /** The file of the next session (after end()). */
  moveTo(path: string): void {
    this.path = path;
  }

  /** Fails with a one-line reason when the file's folder cannot take files (before the port is bound). */
  prepare(): void {
    if (this.writer) return;
    prepareRecordDir(this.path);
    this.refuseIfRecordedElsewhere();
  }

  /** Two writers of one file would each place their lines wrong (recording-lock.ts). */
  private refuseIfRecordedElsewhere(): void {
    const elsewhere = recordedElsewhereMessage(this.path, RECORD_ELSEWHERE);
    if (elsewhere !== null) throw new Error(`--record: ${elsewhere}`);
  }

  /** Takes the file's marker before writing to it; throws the same reason when another process holds it. */
  private claim(): void {
    try {
      claimRecording(this.path, RECORD_ELSEWHERE);
    } catch (err) {
      throw new Error(`--record: ${(err as Error).message}`);
    }
  }

  /** Starts a new session file with this header. */
  open(header: SessionHeader): void {
    this.drainQueue();
    this.memory.reset();
    this.verdicts = new LiveVerdicts(this.source);
    this.claim();
    this.writer = this.watched(SessionWriter.open(this.path, header));
    this.push(header, this.writer.headerPlace);
  }

  /**
   * `--record FILE` names a session that already exists: keep its header, load its events
   * (the UI and the verdicts show the whole session). Returns the loaded events (the
   * engine continues ids and the features pick up their state), or null when there is no
   * session there yet. Throws when the file exists and is not a session.
   */
  continueExisting(): SessionEvent[] | null {
    this.claim();
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch {
      return null;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return null;
    const existing = parseSessionText(text, this.path);
    if (!existing.header) throw new Error(`--record ${this.path}: the file exists and is not a Pinprobe session; choose another path`);
    for (const w of existing.warnings) process.emitWarning(w);
    this.drainQueue();
    this.memory.reset();
    this.verdicts = new LiveVerdicts(this.source);
    // A cut last line (a killed run) must not glue itself to the first new line.
    const writer = this.watched(SessionWriter.open(this.path, null));
    if (!text.endsWith('\n')) writer.raw('\n');
    this.writer = writer;
    const loaded: SessionLine[] = [existing.header, ...existing.events];
    const places = placesOf(bytes, loaded);
    loaded.forEach((line, i) => {
      this.verdicts.add(line, i);
      this.memory.store(line, places[i] ?? null);
    });
    return existing.events;
  }

  /**
   * Ends the session file with a session-end line (no-op when none is open). Returns what
   * could not be written (a disk still full at the stop), or null when the file is whole.
   */
  end(line: SessionEvent): UnwrittenAtEnd | null {
    if (!this.writer) return null;
    this.drainQueue();
    this.recordNow(line);
    const { lost, cause } = this.writer.close();
    this.writer = null;
    releaseRecording(this.path);
    return lost > 0 ? { lines: lost, file: this.path, cause: cause ?? 'write error' } : null;
  }

  /** Every bus event, first on the list: a feature's own events land after their cause. */
  onEvent(event: SessionEvent): void {
    this.record(event);
  }

  /**
   * Appends a line to the file and the in-memory session (also check-auth's own lines): queued,
   * and recorded with the others of its RECORD_BATCH_MS in one pass (`drainQueue`). Anything
   * that reads the session drains the queue first, so it sees every line recorded so far.
   */
  record(line: SessionLine): void {
    this.queue.push(line);
    // A large body is recorded at once, as before the queue: what waits stays small.
    if (hasLargeBody(line)) {
      this.drainQueue(false);
      return;
    }
    if (this.drainTimer === null) {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = null;
        this.drainQueue();
      }, RECORD_BATCH_MS);
      this.drainTimer.unref();
    }
  }

  /**
   * Records the queued lines in order — encoded into the writer's batch, stored, judged, handed
   * to listeners — then writes the batch: one pass per few milliseconds instead of one per
   * event. Per request this measured 8–10 µs of proxy CPU less (~30% of recording's cost, paired
   * 1 s windows), though the pass itself is no shorter: most likely the caches, the recording
   * code running hot over a batch instead of between the relay's steps, each time evicting theirs.
   */
  private drainQueue(write = true): void {
    if (this.drainTimer !== null) {
      clearTimeout(this.drainTimer);
      this.drainTimer = null;
    }
    // A listener that reads the session while its line is handed over must not record lines
    // out of order: the loop below takes what is queued meanwhile, after the lines before it.
    if (this.draining || this.queue.length === 0) return;
    this.draining = true;
    const queue = this.queue;
    try {
      for (let i = 0; i < queue.length; i++) {
        try {
          this.recordNow(queue[i]!);
        } catch (err) {
          // As the bus does for a feature: one failing line must not take the others (or the proxy) down.
          process.emitWarning(`pinprobe: recording failed on a ${queue[i]!.type} event: ${(err as Error).message}`);
        }
      }
    } finally {
      this.queue = [];
      this.draining = false;
    }
    // Lines of a large body are left to the writer (it writes big batches at once, else within BATCH_MS).
    if (write) this.writer?.flush();
  }

  /** Records (and writes) the lines queued so far: listeners get them now. */
  recordQueued(): void {
    this.drainQueue();
  }

  private recordNow(line: SessionLine): void {
    const place = this.writer?.append(line) ?? null;
    this.push(line, place, this.writer?.lastText ?? null, this.writer?.lastBytes ?? null);
  }

  /** The verdicts of the session so far: what judge() gives for its file, without re-reading it. */
  report(): Report {
    this.drainQueue();
    return this.verdicts.report(this.path);
  }

  /** Writes the lines still batched, so the file holds every line so far. */
  flush(): void {
    this.drainQueue();
    this.writer?.flush();
  }

  /** Every line so far (old request/response lines as light copies); O(n). */
  lines(): readonly SessionLine[] {
    this.drainQueue();
    return this.memory.lines;
  }

  lineCount(): number {
    this.drainQueue();
    return this.memory.length;
  }

  linesFrom(from: number, to?: number): SessionLine[] {
    this.drainQueue();
    return this.memory.slice(from, to);
  }

  /** A line as the session file holds it (headers, bodies up to the cap); see SessionMemory. */
  fullLine(index: number): Promise<SessionLine | null> {
    // A line still queued or in the writer's batch is not in the file yet.
    this.drainQueue();
    this.writer?.flush();
    return this.memory.fullLine(index, this.path);
  }

  /**
   * Called with the in-memory copy of every line as it is appended. With `keepsLines: false`
   * (the UI's live view: it keeps only the JSON text) the listener may get the recorded line
   * itself, and while no listener keeps lines the newest lines are kept as bytes.
   */
  subscribe(listener: LineListener, options: { keepsLines?: boolean } = {}): () => void {
    // Lines queued before the subscription are not the listener's (as when recording was immediate).
    this.drainQueue();
    this.unsubscribe(listener);
    const keeps = options.keepsLines !== false;
    this.listeners.set(listener, keeps);
    if (keeps) this.keepers++;
    return () => this.unsubscribe(listener);
  }

  private unsubscribe(listener: LineListener): void {
    const keeps = this.listeners.get(listener);
    if (keeps === undefined) return;
    this.listeners.delete(listener);
    if (keeps) this.keepers--;
  }

  /**
   * A writer's stop (full disk) and resume are one line each on stderr (the CLI's message;
   * the UI shows the engine's `status().recordingStopped` as a banner), not one per lost event.
   */
  private watched(writer: SessionWriter): SessionWriter {
    // A process.exit (a crash handler's) writes the queued lines too, not only the writer's batch.
    writer.beforeExitFlush = () => this.drainQueue();
    writer.onTrouble = (t) => {
      if (this.options.onTrouble) this.options.onTrouble(t.message);
      else process.stderr.write(`${t.stopped ? 'WARNING: ' : ''}${t.message}\n`);
      // The gap's line is in the file: in memory and in the verdicts too, or their line numbers fall behind the file's.
      if (!t.stopped) this.push(t.line, t.place);
    };
    return writer;
  }

  /** Listeners get the in-memory copy, so what they hold is bounded the same way. */
  private push(line: SessionLine, place: LinePlace | null, text: string | null = null, bytes: LineBytes | null = null): void {
    const index = this.memory.length;
    // With no listener keeping copies, the newest lines are kept as the writer's bytes
    // (memory.ts): no copy per line, nothing for young-generation collections to copy. A line
    // of the usual shape is then stored as no object at all, and listeners get the line itself.
    // Stored first: the bytes are the writer's batch, valid only until its next append, and
    // the verdicts may read lines back (which flushes the writer).
    const stored = this.memory.store(line, place, this.keepers === 0 ? bytes : null);
    // The full line (as the file has it): `stored` may have its bodies cut.
    this.verdicts.add(line, index);
    if (this.listeners.size === 0) return;
    // The file's JSON of the line is the copy's JSON too unless the copy cut a body or a payload.
    const json = text !== null && sameContent(line, stored) ? text : null;
    for (const l of this.listeners.keys()) l(stored, json);
  }
}

/** A body (request, response, WebSocket message) over this many characters is recorded at once rather than queued. */
const QUEUED_BODY_MAX = 64 * 1024;

function hasLargeBody(line: SessionLine): boolean {
  return (line.type === 'request' || line.type === 'response' || line.type === 'ws-message') && line.body.data.length > QUEUED_BODY_MAX;
}

/** Whether the in-memory copy holds what the line holds (same values; only bodies or payloads are ever cut). */
function sameContent(line: SessionLine, stored: SessionLine): boolean {
  if (stored === line) return true;
  if ((line.type === 'request' || line.type === 'response') && (stored.type === 'request' || stored.type === 'response')) return stored.body === line.body;
  return false;
}
