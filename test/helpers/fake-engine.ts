// An in-memory EngineControl for control-API and UI tests: lines are pushed by the test
// instead of recorded from sockets, everything else behaves like the contract says.
import { checkPatch, DEFAULT_SETTINGS } from '../../proxy/settings.js';
import { SettingError } from '../../proxy/setting-error.js';
import type {
  CaFormat,
  EngineControl,
  EngineSettings,
  EngineStatus,
} from '../../proxy/api/engine-port.js';
import {
  SESSION_SCHEMA, type RequestEvent, type ResponseEvent, type SessionEvent, type SessionHeader, type SessionLine,
} from '../../proxy/session/events.js';

export interface FakeEngineOptions {
  /** PEM of the CA to export; a placeholder when the test does not parse it. */
  caPem?: string;
  sessionFile?: string;
  port?: number;
  lanAddresses?: string[];
  /** where the proxy listens (default "::", so every LAN address is reachable) */
  listen?: string;
  /** Lines after the header to start with. */
  events?: SessionEvent[];
}

const PLACEHOLDER_PEM = '-----BEGIN CERTIFICATE-----\nTUlJQ2Zha2U=\n-----END CERTIFICATE-----\n';

export function fakeHeader(port: number, time = new Date().toISOString()): SessionHeader {
  return {
    type: 'session',
    schema: SESSION_SCHEMA,
    time,
    version: '0.1.0-test',
    proxy: { listen: '0.0.0.0', port },
    caSubject: 'CN=Pinprobe CA (test)',
    options: { scenario: null, autoPassthrough: true, passthrough: [], expectMtls: [], clientCertHosts: [], requestClientCert: false },
  };
}

export class FakeEngine implements EngineControl {
  private current: SessionLine[];
  private readonly listeners = new Set<(line: SessionLine, json: string | null) => void>();
  /** The full lines behind light copies pushed with pushEvicted, by index. */
  private full = new Map<number, SessionLine>();
  private running = true;
  private sessionCount = 1;
  private sessionFile: string;
  private readonly caPem: string;
  private readonly port: number;
  private readonly lan: string[];
  private readonly listen: string;
  private config: EngineSettings = structuredClone(DEFAULT_SETTINGS);
  /** Calls made through the contract, for assertions. */
  readonly calls: string[] = [];

  constructor(opts: FakeEngineOptions = {}) {
    this.caPem = opts.caPem ?? PLACEHOLDER_PEM;
    this.port = opts.port ?? 8080;
    this.lan = opts.lanAddresses ?? ['192.168.1.23', 'fe80::1c2b:3aff:fe4d:5e6f'];
    this.listen = opts.listen ?? '::';
    this.sessionFile = opts.sessionFile ?? '/tmp/pinprobe-fake/session-1.pinprobe.jsonl';
    this.current = [fakeHeader(this.port), ...(opts.events ?? [])];
  }

  /** Appends a line as the recorder would, notifying subscribers. */
  push(...lines: SessionEvent[]): void {
    for (const line of lines) {
      this.current.push(line);
      // With its JSON text, as the recorder hands it on (the live socket splices it).
      for (const listener of this.listeners) listener(line, JSON.stringify(line));
    }
  }

  /**
   * Appends light copies of request/response lines (`evicted`, no headers, no body data),
   * as a long live session keeps its old lines; fullLine returns the originals.
   */
  pushEvicted(...lines: Array<RequestEvent | ResponseEvent>): void {
    for (const line of lines) {
      this.full.set(this.current.length, line);
      this.push({ ...line, headers: [], body: { ...line.body, data: '', truncated: true }, evicted: true });
    }
  }

  async fullLine(index: number): Promise<SessionLine | null> {
    return this.full.get(index) ?? this.current[index] ?? null;
  }

  status(): EngineStatus {
    return {
      running: this.running,
      listen: this.listen,
      port: this.port,
      sessionFile: this.sessionFile,
      caCertPath: '/tmp/pinprobe-fake/ca/pinprobe-ca.pem',
      caSubject: 'CN=Pinprobe CA (test)',
      lanAddresses: [...this.lan],
    };
  }

  lines(): readonly SessionLine[] {
    return this.current;
  }

  lineCount(): number {
    return this.current.length;
  }

  linesFrom(from: number, to?: number): readonly SessionLine[] {
    return this.current.slice(from, to);
  }

  subscribe(listener: (line: SessionLine, json: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  settings(): EngineSettings {
    return structuredClone(this.config);
  }

  async updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    this.calls.push('updateSettings');
    // The real engine's shape checks (the settings table); rules are checked without DNS or files.
    checkPatch(patch);
    (patch.mapRemote ?? []).forEach((rule, index) => {
      if (!/^[^\s:]+(:\d+)?$/.test(rule.from) || !/^[^\s]+:\d+$/.test(rule.to)) {
        const message = `"${rule.from}=${rule.to}" must be HOST[:PORT]=ADDR:PORT`;
        throw new SettingError({ key: 'mapRemote', index, message }, `mapRemote: ${message}`);
      }
    });
    this.config = { ...this.config, ...structuredClone(patch) };
    return this.settings();
  }

  async start(): Promise<void> {
    this.calls.push('start');
    this.running = true;
  }

  async stop(): Promise<void> {
    this.calls.push('stop');
    this.running = false;
  }

  async newSession(): Promise<string> {
    this.calls.push('newSession');
    this.sessionCount += 1;
    this.sessionFile = `/tmp/pinprobe-fake/session-${this.sessionCount}.pinprobe.jsonl`;
    const header = fakeHeader(this.port);
    this.current = [header];
    this.full = new Map();
    for (const listener of this.listeners) listener(header, JSON.stringify(header));
    return this.sessionFile;
  }

  exportCa(format: CaFormat): { data: Buffer; fileName: string; contentType: string } {
    const der = Buffer.from(this.caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    switch (format) {
      case 'pem':
        return { data: Buffer.from(this.caPem), fileName: 'pinprobe-ca.pem', contentType: 'application/x-pem-file' };
      case 'der':
        return { data: der, fileName: 'pinprobe-ca.cer', contentType: 'application/x-x509-ca-cert' };
      case 'android':
        return { data: Buffer.from(this.caPem), fileName: 'c8750f0d.0', contentType: 'application/octet-stream' };
      case 'ios':
        return {
          data: Buffer.from(`<?xml version="1.0"?><plist version="1.0"><dict><key>PayloadContent</key><data>${der.toString('base64')}</data></dict></plist>`),
          fileName: 'pinprobe.mobileconfig',
          contentType: 'application/x-apple-aspen-config',
        };
    }
  }
}

// ---- Event builders: realistic recorded lines without sockets. ----

let seq = 0;
function nextId(prefix: string): string {
  seq += 1;
  return `${prefix}${seq}`;
}

function timeAt(offsetMs: number, base: number): string {
  return new Date(base + offsetMs).toISOString();
}

export interface TlsConnectionSpec {
  host: string;
  port?: number;
  client?: string;
  scenario: import('../../proxy/session/events.js').Scenario;
  result: 'accepted' | 'rejected' | 'inconclusive';
  stage?: 'handshake' | 'after-handshake' | null;
  alert?: string | null;
  /** ms after `base` */
  at?: number;
  base?: number;
}

/** connection + client-tls (+ close for rejections): one intercepted CONNECT. */
export function tlsConnection(spec: TlsConnectionSpec): { id: string; events: SessionEvent[] } {
  const id = nextId('c');
  const base = spec.base ?? Date.now();
  const at = spec.at ?? 0;
  const port = spec.port ?? 443;
  const client = spec.client ?? '192.168.1.50';
  const alertCodes: Record<string, number> = { unknown_ca: 48, certificate_unknown: 46, bad_certificate: 42, certificate_expired: 45 };
  const stage = spec.result === 'rejected' ? (spec.stage ?? 'handshake') : null;
  const handshakeMs = 18 + (seq % 7) * 3;
  const events: SessionEvent[] = [
    { type: 'connection', time: timeAt(at, base), id, client: { address: client, port: 50000 + (seq % 10000) }, target: { host: spec.host, port }, mode: 'intercept', scenario: spec.scenario },
    {
      type: 'client-tls', time: timeAt(at + handshakeMs, base), id, host: spec.host, port, sni: spec.host, clientAddress: client, scenario: spec.scenario,
      result: spec.result, stage, alert: spec.alert ?? null, alertCode: spec.alert ? (alertCodes[spec.alert] ?? null) : null,
      tlsVersion: 'TLSv1.3', alpn: 'http/1.1',
      detail: spec.result === 'rejected' && stage === 'after-handshake' ? 'closed after the handshake without sending data' : null,
      timings: { handshakeMs: stage === 'handshake' ? null : handshakeMs, firstByteMs: spec.result === 'accepted' ? handshakeMs + 4 : null, closeMs: spec.result === 'rejected' ? handshakeMs + 2 : null, windowMs: 1500 },
    },
  ];
  if (spec.result === 'rejected') {
    events.push({ type: 'close', time: timeAt(at + handshakeMs + 3, base), id, bytesFromClient: 517, bytesToClient: 1290 });
  }
  return { id, events };
}

export interface ExchangeSpec {
  conn: string;
  scheme?: 'http' | 'https';
  method?: string;
  host: string;
  port?: number;
  path: string;
  status?: number;
  client?: string;
  requestHeaders?: Array<[string, string]>;
  requestBody?: string;
  responseType?: string;
  responseBody?: string | Buffer;
  at?: number;
  base?: number;
}

/** request + response of one HTTP exchange. */
export function exchange(spec: ExchangeSpec): SessionEvent[] {
  const id = nextId('r');
  const base = spec.base ?? Date.now();
  const at = spec.at ?? 0;
  const scheme = spec.scheme ?? 'https';
  const port = spec.port ?? (scheme === 'https' ? 443 : 80);
  const reqBody = spec.requestBody ?? '';
  const resRaw = spec.responseBody ?? '';
  const resIsBinary = Buffer.isBuffer(resRaw);
  const resBuf = resIsBinary ? resRaw : Buffer.from(resRaw);
  const defaultPort = scheme === 'https' ? 443 : 80;
  const authority = port === defaultPort ? spec.host : `${spec.host}:${port}`;
  return [
    {
      type: 'request', time: timeAt(at, base), id, conn: spec.conn, scheme, method: spec.method ?? 'GET',
      url: `${scheme}://${authority}${spec.path}`, host: spec.host, port, httpVersion: '1.1',
      headers: [['Host', authority], ['User-Agent', 'okhttp/4.12.0'], ['Accept', 'application/json'], ...(spec.requestHeaders ?? []),
        ...(reqBody ? ([['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(reqBody))]] as Array<[string, string]>) : [])],
      body: { size: Buffer.byteLength(reqBody), encoding: 'utf8', data: reqBody, truncated: false },
      clientAddress: spec.client ?? '192.168.1.50',
    },
    {
      type: 'response', time: timeAt(at + 84, base), id, status: spec.status ?? 200, statusText: (spec.status ?? 200) === 200 ? 'OK' : 'Error', httpVersion: '1.1',
      headers: [['Content-Type', spec.responseType ?? 'application/json; charset=utf-8'], ['Content-Length', String(resBuf.length)], ['Date', new Date(base + at).toUTCString()]],
      body: { size: resBuf.length, encoding: resIsBinary ? 'base64' : 'utf8', data: resIsBinary ? resBuf.toString('base64') : resBuf.toString('utf8'), truncated: false },
      timings: { sendMs: 1, waitMs: 78, receiveMs: 5 },
    },
  ];
}
