// The `pinprobe.report/1` shape (SPEC "Report JSON"). Reports, the control API and the UI
// all read this; the judge is the only writer.
import type { Scenario } from '../session/events.js';

export const REPORT_SCHEMA = 'pinprobe.report/1';

export type ScenarioResult = 'accepted' | 'rejected' | 'inconclusive' | 'untested';

export interface ScenarioVerdict {
  result: ScenarioResult;
  stage: 'handshake' | 'after-handshake' | null;
  alert: string | null;
  connections: number;
}

export type Pinning = 'pinned' | 'likely-pinned' | 'not-pinned' | 'inconclusive' | 'untested';
/** What a pinning verdict rests on (SPEC "Pinning"), strongest first. */
export type PinningEvidence = 'stage-contrast' | 'device-trusts-ca' | 'same-client-trusted-elsewhere';
export type Validation = 'broken' | 'ok' | 'partial' | 'untested';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  masvs: string;
  mastg?: string;
  /** Which request and where, secrets masked (backend findings; see proxy/judge/mask.ts). */
  evidence?: string;
}

export type AuthResult = 'protected' | 'unprotected' | 'unknown';
export type RateLimit = 'throttled' | 'not-throttled' | 'untested';

/** One endpoint check-auth replayed without credentials (SPEC "Backend"). */
export interface AuthCheck {
  method: string;
  /** Path with the query's names, not its values. */
  path: string;
  result: AuthResult;
  /** The replay's status; null when no answer came back. */
  status: number | null;
  /** Id of the replayed request line (not in the JSON report). */
  request?: string;
}

export interface BackendVerdict {
  auth: AuthCheck[];
  rateLimit: RateLimit;
}

export interface MtlsVerdict {
  verdict: 'enforced' | 'not-enforced' | 'unknown';
  evidence: string | null;
  withCert: 'accepted' | 'rejected' | 'untested';
}

export interface HostVerdict {
  host: string;
  port: number;
  client: Record<Scenario, ScenarioVerdict>;
  pinning: Pinning;
  pinningReason: string;
  pinningEvidence: PinningEvidence | null;
  /** JA4 fingerprints of the TLS clients that reached this host, first seen first. */
  fingerprints: string[];
  validation: Validation;
  cleartext: boolean;
  mtls: MtlsVerdict;
  /** Set by the judge for every host; optional so hand-made verdicts (tests, fixtures) may leave it out. */
  backend?: BackendVerdict;
  findings: Finding[];
  /** Tunnelled untouched after trusted was rejected (audit rotation). */
  passthrough?: boolean;
  /**
   * Where --map-remote sent this host's backend connections (`ADDR:PORT`, first seen first):
   * its mTLS verdict and what its answers carried are that server's, not the real backend's.
   * Absent when no recorded connection was mapped.
   */
  mappedTo?: string[];
}

/** Session-level advice for the tester (UI, text and HTML; not part of the JSON schema). */
export interface Advice {
  id: string;
  text: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  session: { file: string; started: string | null; ended: string | null; connections: number };
  hosts: HostVerdict[];
  advice?: Advice[];
}
