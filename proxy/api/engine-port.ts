// What the control API needs from the engine. The engine (proxy/engine.ts) implements it;
// API tests may use a small fake. Keeping this narrow keeps the API free of socket code.
import type { Scenario, SessionLine } from '../session/events.js';

export interface MapRemoteRule {
  /** host or host:port as the client asked for it */
  from: string;
  /** address:port to connect to instead (SNI and Host are kept) */
  to: string;
}

export interface ClientCertSetting {
  /** host glob, e.g. api.example.com or *.example.com */
  host: string;
  /** PEM cert + key paths, or a .p12 path */
  cert: string;
  key?: string;
  passphrase?: string;
}

export interface EngineSettings {
  /** null = audit rotation */
  scenario: Scenario | null;
  autoPassthrough: boolean;
  passthrough: string[];
  mapRemote: MapRemoteRule[];
  upstreamCa: string[];
  upstreamInsecure: boolean;
  clientCerts: ClientCertSetting[];
  expectMtls: string[];
  requestClientCert: boolean;
  /**
   * Devices (ADDR or CIDR) with Pinprobe's CA in their *system* store (--device-trusts-ca,
   * Setup → devices). Every change is recorded as a `device-trust` line, so it re-judges.
   */
  deviceTrustsCa: string[];
}

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
}

export type CaFormat = 'pem' | 'der' | 'android' | 'ios';

export interface EngineControl {
  status(): EngineStatus;
  /**
   * Lines of the current session recorded so far (header first), as kept in memory: the
   * older request/response lines of a long session may be light copies (`evicted: true`,
   * no headers, no body data) — reduced in place, so a held reference changes too.
   */
  lines(): readonly SessionLine[];
  /** Called for every line as it is appended (the in-memory copy); returns an unsubscribe function. */
  subscribe(listener: (line: SessionLine) => void): () => void;
  /**
   * Line `index` of lines() as the session file holds it (headers, bodies up to the body
   * cap), or null when there is no such line or it cannot be read back.
   */
  fullLine?(index: number): Promise<SessionLine | null>;
  settings(): EngineSettings;
  /** Validates and applies; rejects with an Error whose message names the bad field. */
  updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ends the current session file and starts a new one; returns its path. */
  newSession(): Promise<string>;
  exportCa(format: CaFormat): { data: Buffer; fileName: string; contentType: string };
}
