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
}

export type SettingKey = keyof EngineSettings;
