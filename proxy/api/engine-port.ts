// What the control API needs from the engine. The engine (proxy/engine.ts) implements it;
// API tests may use a small fake. Keeping this narrow keeps the API free of socket code.
import type { Report } from '../judge/report-types.js';
import type { SessionLine } from '../session/events.js';
import type { EngineSettings } from '../settings-types.js';

// The settings types live with the settings (proxy/settings-types.ts); re-exported for API users.
export type { ClientCertSetting, EngineSettings, MapRemoteRule } from '../settings-types.js';

export interface EngineStatus {
  running: boolean;
  listen: string;
  port: number;
  sessionFile: string;
  caCertPath: string;
  caSubject: string;
  /** IPv4/IPv6 LAN addresses a phone can use, loopback excluded */
  lanAddresses: string[];
  /** DATA: holds ca/ and sessions/ (the UI lists DATA/sessions) */
  dataDir?: string;
  /** Set while the session file cannot be written (a full disk): the one-line reason. */
  recordingStopped?: string | null;
  /** The connection limits in force, automatic ones resolved (the UI shows "auto: now N"). */
  connectionLimits?: { maxConnections: number; maxConnectionsPerClient: number };
}

export type CaFormat = 'pem' | 'der' | 'android' | 'ios';

export interface EngineControl {
  status(): EngineStatus;
  /**
   * Lines of the current session recorded so far (header first), as kept in memory: the
   * older request/response lines of a long session are light copies (`evicted: true`, no
   * headers, no body data), made afresh from compact rows on each call. O(n): the API
   * reads ranges with lineCount/linesFrom instead.
   */
  lines(): readonly SessionLine[];
  /** How many lines lines() would give. */
  lineCount(): number;
  /** lines().slice(from, to) without building the rest. */
  linesFrom(from: number, to?: number): readonly SessionLine[];
  /**
   * Called for every line as it is appended (the in-memory copy, and its JSON text when the
   * recording already has it, else null); returns an unsubscribe function. A listener that
   * keeps no line after its call says so (`keepsLines: false`): it may then be given the
   * recorded line itself, and the recording need not build copies for it.
   */
  subscribe(listener: (line: SessionLine, json: string | null) => void, options?: { keepsLines?: boolean }): () => void;
  /**
   * Line `index` of lines() as the session file holds it (headers, bodies up to the body
   * cap), or null when there is no such line or it cannot be read back.
   */
  fullLine?(index: number): Promise<SessionLine | null>;
  /**
   * Records the events still queued (recording is batched, RECORD_BATCH_MS): their lines reach
   * subscribers now, so what the caller reads next counts every event so far. Absent: lines are
   * recorded as they come.
   */
  settle?(): void;
  /** The live session's verdicts, kept up to date as lines are recorded; absent: the view judges lines(). */
  report?(): Report;
  settings(): EngineSettings;
  /** Validates and applies; a bad value rejects with a SettingError (proxy/setting-error.ts). */
  updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ends the current session file and starts a new one; returns its path. */
  newSession(): Promise<string>;
  exportCa(format: CaFormat): { data: Buffer; fileName: string; contentType: string };
}
