// The wire shapes between the control API and the UI. No Node imports here, so the
// renderer can import these types without pulling in server code.
import type { Report } from '../judge/report-types.js';
import type { SessionDiff } from '../report/diff-types.js';
import type { SessionLine } from '../session/events.js';
import type { EngineStatus } from './engine-port.js';

export interface ViewInfo {
  mode: 'live' | 'file';
  /** The session file the lines come from. */
  file: string;
  lines: number;
  /** Problems met while reading an opened file (truncated last line, ...). */
  warnings: string[];
  /**
   * What the opened file is: a Pinprobe session, or a HAR file imported read-only (HTTP
   * traffic only: no TLS outcomes, so no verdicts). Absent for the live session.
   */
  source?: 'session' | 'har';
}

/** Messages the UI receives on /api/live. */
export type LiveMessage =
  | { kind: 'hello'; view: ViewInfo }
  | { kind: 'line'; index: number; line: SessionLine }
  /** Replay on connect, in chunks: lines[i] has index `from + i`. */
  | { kind: 'lines'; from: number; lines: SessionLine[] }
  | { kind: 'reset'; view: ViewInfo }
  | { kind: 'verdicts'; report: Report }
  | { kind: 'error'; error: string };

/** GET /api/status */
export interface StatusResponse {
  version: string;
  engine: EngineStatus;
  view: ViewInfo;
}

/** GET /api/events?since=N */
export interface EventsResponse {
  view: ViewInfo;
  from: number;
  next: number;
  lines: SessionLine[];
}

export interface CaDownload {
  platform: 'android' | 'android-system' | 'ios' | 'pem';
  label: string;
  /** Control API path (add the token as a `token` query value). */
  href: string;
  fileName: string;
}

/** GET /api/onboarding */
export interface OnboardingInfo {
  running: boolean;
  proxyPort: number;
  /** HOST:PORT for each LAN address the proxy is reachable at, IPv4 first (none when loopback-only). */
  proxyAddresses: string[];
  /** The proxy listens on loopback only (`--listen 127.0.0.1`): no phone on Wi-Fi can reach it. */
  loopbackOnly: boolean;
  /** HOST:PORT the proxy is bound to, e.g. 127.0.0.1:8080 or 0.0.0.0:8080 */
  listenAddress: string;
  /** http://<first LAN address>:<proxy port>/ — null when no LAN address was found */
  url: string | null;
  /** Works on a device whose proxy is already set. */
  reservedUrl: string;
  /** data: URL of an SVG QR code of `qrTarget` */
  qr: string;
  /** `url`, or `reservedUrl` when there is no LAN address */
  qrTarget: string;
  caSubject: string;
  downloads: CaDownload[];
}

/** GET /api/sessions: one recorded session of the data dir (newest first). */
export interface SessionSummary {
  file: string;
  /** last write (ISO) */
  modified: string;
  size: number;
  started: string | null;
  /** null when not summarized (too large, unreadable, not a session: see `note`) */
  hosts: number | null;
  /** per verdict word: pinned, likely-pinned, not-pinned, inconclusive, untested, broken, cleartext, critical, high */
  counts: Record<string, number> | null;
  /** the first few hosts, most severe first */
  hostNames: string[];
  note: string | null;
}


/** GET /api/diff?a=FILE&b=FILE: A (old build) against B (new build), as `pinprobe diff`. */
export interface DiffResponse {
  diff: SessionDiff;
  warnings: string[];
}
