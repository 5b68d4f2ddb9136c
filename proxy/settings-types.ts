// The shape of the engine's settings, shared by net/ (which applies them), the engine, the
// control API and the UI. Only types: the table that declares each setting's flag, default
// and validation is proxy/settings.ts.
import type { Scenario } from './session/events.js';

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
  /** s a new connection may send nothing (no request, no CONNECT), and an intercepted one after its TLS handshake */
  idleTimeout: number;
  /** s for the client's side of an intercepted TLS handshake */
  handshakeTimeout: number;
  /** s a client may take to send a request's headers once it started */
  headersTimeout: number;
  /** s a backend may take to accept the connection and send its answer's headers (a WebSocket upgrade's answer) */
  upstreamTimeout: number;
  /** s a relayed tunnel may carry no byte in either direction before it is closed */
  tunnelIdleTimeout: number;
  /** client connections at once; null = from the open-files limit (proxy/net/conn-limits.ts) */
  maxConnections: number | null;
  /** client connections from one address at once; null = half of maxConnections */
  maxConnectionsPerClient: number | null;
}

export type SettingKey = keyof EngineSettings;
