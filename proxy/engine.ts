// The engine: root CA + issuer, the proxy listener, and the features wired to its event
// bus (recorder, scenario rotation, passthrough, mTLS prober). The CLI, the control API and
// the desktop app all drive this one object.
import { readFileSync } from 'node:fs';
import { open as openFile, readFile } from 'node:fs/promises';
import type http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { loadOrCreateRootCa, type RootCa } from './ca/root-ca.js';
import { CertificateIssuer } from './ca/issuer.js';
import { exportCa } from './ca/export.js';
import { defaultDataDir, sessionFileName } from './data-dir.js';
import { EngineBus, now } from './engine-bus.js';
import { AutoPassthrough } from './features/auto-passthrough.js';
import { MtlsProber } from './features/mtls-prober.js';
import { passthroughRule } from './features/passthrough-rules.js';
import { ScenarioRotation } from './features/scenario-rotation.js';
import type { CaFormat, EngineControl, EngineSettings, EngineStatus } from './api/engine-port.js';
import { DEFAULT_BODY_CAP } from './net/body-capture.js';
import { loadClientCert, parseClientCertSpec, specFromSetting } from './net/client-certs.js';
import { lanAddresses } from './net/lan-addresses.js';
import { createProxyServer } from './net/proxy-server.js';
import { serveOnboarding } from './api/onboarding.js';
import { parseMapRemote, UpstreamPool } from './net/upstream.js';
import { DEFAULT_IDLE_WINDOW, type IdleWindowRule } from './observe/client-outcome.js';
import { SESSION_SCHEMA, type RequestEvent, type ResponseEvent, type SessionHeader, type SessionLine } from './session/events.js';
import { SessionWriter, type LinePlace } from './session/writer.js';
import { parseSessionText } from './session/reader.js';

export interface EngineOptions {
  port?: number;
  listen?: string;
  dataDir?: string;
  /** session file; default DATA/sessions/<ISO time>.pinprobe.jsonl */
  record?: string;
  settings?: Partial<EngineSettings>;
  bodyCap?: number;
  idleWindow?: IdleWindowRule;
  helloTimeoutMs?: number;
  headersTimeoutMs?: number;
  upstreamTimeoutMs?: number;
  version?: string;
  /** Request/response lines kept in memory with headers and bodies; default MEMORY_HTTP_LINES. */
  memoryHttpLines?: number;
  /** Answers requests sent straight to the proxy; default: the onboarding page. False = not handled. */
  onboarding?: (req: http.IncomingMessage, res: http.ServerResponse, engine: Engine) => boolean;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  scenario: null,
  autoPassthrough: true,
  passthrough: [],
  mapRemote: [],
  upstreamCa: [],
  upstreamInsecure: false,
  clientCerts: [],
  expectMtls: [],
  requestClientCert: false,
};

export class Engine implements EngineControl {
  readonly bus = new EngineBus();
  private server: http.Server | null = null;
  private writer: SessionWriter | null = null;
  private memory: SessionLine[] = [];
  /** Where each line of `memory` sits in the session file (same index; offset -1 = unknown). */
  private offsets: number[] = [];
  private lengths: number[] = [];
  /** Indexes of request/response lines still full in memory, oldest first (from `fullHead`). */
  private fullHttp: number[] = [];
  private fullHead = 0;
  private listeners = new Set<(line: SessionLine) => void>();
  private pool: UpstreamPool;
  private current: EngineSettings;
  private rotation: ScenarioRotation;
  private autoPassthrough: AutoPassthrough;
  private prober: MtlsProber;
  private boundPort: number;
  /** open client sockets, each with a promise of its close (one listener per socket) */
  private sockets = new Map<net.Socket, Promise<void>>();
  /** ports of other Pinprobe listeners in this process (the control API) */
  readonly ownPorts = new Set<number>();
  private sessionPath: string;

  private constructor(
    readonly options: EngineOptions,
    readonly dataDir: string,
    readonly root: RootCa,
    readonly issuer: CertificateIssuer,
    settings: EngineSettings,
    pool: UpstreamPool,
  ) {
    this.current = settings;
    this.pool = pool;
    pool.ownEndpoint = (host, port) => this.isOwnEndpoint(host, port);
    this.boundPort = options.port ?? 8080;
    this.sessionPath = resolve(options.record ?? join(dataDir, 'sessions', sessionFileName()));
    this.rotation = new ScenarioRotation(() => this.current.scenario);
    this.autoPassthrough = new AutoPassthrough(this.bus, () => this.current.autoPassthrough && this.current.scenario === null);
    this.prober = new MtlsProber(this.bus, () => this.pool);
    this.bus.hooks.scenario = (t) => this.rotation.pick(t);
    this.bus.hooks.tunnel.push(passthroughRule(() => this.current.passthrough), this.autoPassthrough.rule);
    this.bus.on((event) => this.record(event));
    this.bus.on((event) => this.autoPassthrough.onEvent(event));
    this.bus.on((event) => this.prober.onEvent(event));
  }

  /** Loads the CA (creating it on first use), the upstream trust and client certificates; throws on bad input. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const dataDir = resolve(options.dataDir ?? defaultDataDir());
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const pool = await buildPool(settings);
    const root = await loadOrCreateRootCa(dataDir);
    const issuer = await CertificateIssuer.create(root);
    return new Engine(options, dataDir, root, issuer, settings, pool);
  }

  get port(): number {
    return this.boundPort;
  }

  get sessionFile(): string {
    return this.sessionPath;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createProxyServer({
      bus: this.bus,
      pool: this.pool,
      issuer: this.issuer,
      bodyCap: this.options.bodyCap ?? DEFAULT_BODY_CAP,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs ?? 30_000,
      idleWindow: this.options.idleWindow ?? DEFAULT_IDLE_WINDOW,
      requestClientCert: this.current.requestClientCert,
      helloTimeoutMs: this.options.helloTimeoutMs ?? 5_000,
      headersTimeoutMs: this.options.headersTimeoutMs ?? 30_000,
      isOwnEndpoint: (host, port) => this.isOwnEndpoint(host, port),
      onboarding: (req, res) => (this.options.onboarding ? this.options.onboarding(req, res, this) : (serveOnboarding(req, res, { engine: this }), true)),
    });
    server.on('connection', (s: net.Socket) => {
      this.sockets.set(s, new Promise<void>((ok) => s.once('close', () => {
        this.sockets.delete(s);
        ok();
      })));
    });
    const listen = this.options.listen ?? '0.0.0.0';
    await new Promise<void>((ok, fail) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        fail(new Error(err.code === 'EADDRINUSE'
          ? `port ${this.boundPort} on ${listen} is already in use — stop the other proxy or choose another with --port`
          : `cannot listen on ${listen}:${this.boundPort}: ${err.message}`)));
      server.listen(this.boundPort, listen, () => ok());
    });
    server.on('error', (err) => this.bus.emit({ type: 'error', time: now(), id: null, message: `proxy listener: ${err.message}` }));
    this.boundPort = (server.address() as net.AddressInfo).port;
    // After listen, so the header names the real port.
    if (!this.writer) {
      try {
        this.openSession();
      } catch (err) {
        await new Promise((ok) => server.close(ok));
        throw err;
      }
    }
    this.server = server;
  }

  /** Stops accepting and closes open connections; the session file stays open. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // Wait for every cut connection to report its outcome and close line before anything
    // (close(), a new session) ends the file: a stop must not lose session lines.
    const closed = [...this.sockets.values()];
    await new Promise<void>((ok) => {
      server.close(() => ok());
      for (const s of this.sockets.keys()) s.destroy();
    });
    await Promise.race([Promise.all(closed), new Promise((ok) => setTimeout(ok, 2000).unref())]);
    // The TLS layer above each socket reports its close one tick after the socket's own.
    await new Promise((ok) => setImmediate(ok));
  }

  /** Stops the proxy and ends the session file (with a session-end line). */
  async close(): Promise<void> {
    await this.stop();
    this.endSession();
    this.pool.destroy();
  }

  status(): EngineStatus {
    return {
      running: this.server !== null,
      listen: this.options.listen ?? '0.0.0.0',
      port: this.boundPort,
      sessionFile: this.sessionPath,
      caCertPath: this.root.certPath,
      caSubject: this.root.subject,
      lanAddresses: lanAddresses(),
    };
  }

  lines(): readonly SessionLine[] {
    return this.memory;
  }

  /**
   * A line as the session file holds it (bodies up to the body cap, headers), read back by
   * its offset; null when the index is out of range or the file no longer has it.
   */
  async fullLine(index: number): Promise<SessionLine | null> {
    const line = this.memory[index];
    const offset = this.offsets[index] ?? -1;
    const length = this.lengths[index] ?? 0;
    if (!line || offset < 0) return line && !isEvicted(line) ? line : null;
    const file = this.sessionPath;
    let text: string;
    try {
      const handle = await openFile(file, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, offset);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
    let full: SessionLine;
    try {
      full = JSON.parse(text) as SessionLine;
    } catch {
      return null;
    }
    // The file changed under us (replaced, or a new session began meanwhile): do not return another line.
    if (full?.type !== line.type || ('id' in line && 'id' in full && full.id !== line.id)) return null;
    return full;
  }

  subscribe(listener: (line: SessionLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  settings(): EngineSettings {
    return structuredClone(this.current);
  }

  async updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    const next = { ...this.current, ...patch };
    const needsPool = ['mapRemote', 'upstreamCa', 'upstreamInsecure', 'clientCerts'].some((k) => k in patch);
    const pool = needsPool ? await buildPool(next) : this.pool;
    if (needsPool) {
      const old = this.pool;
      this.pool = pool;
      pool.ownEndpoint = (host, port) => this.isOwnEndpoint(host, port);
      // Running listeners keep their pool; restart so new upstream settings apply everywhere.
      if (this.server) {
        await this.stop();
        await this.start();
      }
      old.destroy();
    }
    this.current = next;
    return this.settings();
  }

  async newSession(): Promise<string> {
    this.endSession();
    this.sessionPath = resolve(join(this.dataDir, 'sessions', sessionFileName()));
    this.rotation.reset();
    this.autoPassthrough.reset();
    this.prober.reset();
    this.openSession();
    return this.sessionPath;
  }

  exportCa(format: CaFormat): { data: Buffer; fileName: string; contentType: string } {
    return exportCa(this.root, format);
  }

  private openSession(): void {
    this.memory = [];
    this.offsets = [];
    this.lengths = [];
    this.fullHttp = [];
    this.fullHead = 0;
    if (this.continueSession()) return;
    const header: SessionHeader = {
      type: 'session',
      schema: SESSION_SCHEMA,
      time: now(),
      version: this.options.version ?? '0.0.0',
      proxy: { listen: this.options.listen ?? '0.0.0.0', port: this.boundPort },
      caSubject: this.root.subject,
      options: {
        scenario: this.current.scenario,
        autoPassthrough: this.current.autoPassthrough,
        passthrough: this.current.passthrough,
        expectMtls: this.current.expectMtls,
        clientCertHosts: this.current.clientCerts.map((c) => c.host),
        requestClientCert: this.current.requestClientCert,
      },
    };
    this.writer = SessionWriter.open(this.sessionPath, header);
    this.push(header, this.writer.headerPlace);
  }

  /**
   * `--record FILE` names a session that already exists: keep its header, load its events
   * (the UI and the verdicts show the whole session), continue ids and audit rotation.
   */
  private continueSession(): boolean {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.sessionPath);
    } catch {
      return false;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return false;
    const existing = parseSessionText(text, this.sessionPath);
    if (!existing.header) throw new Error(`--record ${this.sessionPath}: the file exists and is not a Pinprobe session; choose another path`);
    for (const w of existing.warnings) process.emitWarning(w);
    // A cut last line (a killed run) must not glue itself to the first new line.
    const writer = SessionWriter.open(this.sessionPath, null);
    if (!text.endsWith('\n')) writer.raw('\n');
    this.writer = writer;
    this.bus.seedIds(existing.events);
    this.rotation.restore(existing.events);
    for (const e of existing.events) this.autoPassthrough.onEvent(e, { silent: true });
    const loaded: SessionLine[] = [existing.header, ...existing.events];
    const places = placesOf(bytes, loaded);
    loaded.forEach((line, i) => this.store(line, places[i] ?? null));
    return true;
  }

  private endSession(): void {
    if (!this.writer) return;
    this.record({ type: 'session-end', time: now() });
    this.writer.close();
    this.writer = null;
  }

  private record(line: SessionLine): void {
    const place = this.writer?.append(line) ?? null;
    this.push(line, place);
  }

  /** Listeners get the in-memory copy, so what they hold is bounded the same way. */
  private push(line: SessionLine, place: LinePlace | null): void {
    const stored = this.store(line, place);
    for (const l of this.listeners) l(stored);
  }

  /**
   * Keeps the in-memory copy of a line. Request/response lines are private copies: once
   * more than `memoryHttpLines` newer ones exist, the oldest is reduced in place to a light
   * copy (no headers, no body data, `evicted: true`) that `fullLine` reads back from the file.
   */
  private store(line: SessionLine, place: LinePlace | null): SessionLine {
    const index = this.memory.length;
    const stored = line.type === 'request' || line.type === 'response' ? slim(line) : line;
    this.memory.push(stored);
    this.offsets.push(place ? place.offset : -1);
    this.lengths.push(place ? place.length : 0);
    // Without a known place in the file the line could not be read back: it stays full.
    if (place && (stored.type === 'request' || stored.type === 'response')) {
      this.fullHttp.push(index);
      const keep = this.options.memoryHttpLines ?? MEMORY_HTTP_LINES;
      while (this.fullHttp.length - this.fullHead > keep) {
        const old = this.memory[this.fullHttp[this.fullHead++]!];
        if (old && (old.type === 'request' || old.type === 'response')) evict(old);
      }
      if (this.fullHead > 4096 && this.fullHead * 2 > this.fullHttp.length) {
        this.fullHttp = this.fullHttp.slice(this.fullHead);
        this.fullHead = 0;
      }
    }
    return stored;
  }

  private isOwnEndpoint(host: string, port: number): boolean {
    if (port !== this.boundPort && !this.ownPorts.has(port)) return false;
    const h = canonicalHost(host);
    return h === 'localhost' || h.endsWith('.localhost') || h === '0.0.0.0' || h === '::' || h === '::ffff:0:0' || isLoopback(h) ||
      lanAddresses().map(canonicalHost).includes(h) || h === canonicalHost(this.options.listen ?? '0.0.0.0');
  }
}

/** Bodies kept in memory for the UI; the session file keeps up to the full body cap. */
export const MEMORY_BODY_CAP = 64 * 1024;

/**
 * Request/response lines kept in memory with their headers and bodies (the most recent
 * ones; the UI shows them without a round trip). Older ones keep only what the Traffic list
 * and the verdicts need — ~6 KiB per request otherwise, 388 MiB for a 38,800-request run.
 * 2000 lines is ~1000 requests, ~6 MiB (up to 2000 × 64 KiB with large bodies).
 */
export const MEMORY_HTTP_LINES = 2000;

/**
 * The in-memory copy of a request/response line (always a copy: it may be evicted in place
 * later), with bodies cut to MEMORY_BODY_CAP so a long session with large bodies does not
 * grow the process without bound (the file keeps the capped body).
 */
function slim<T extends RequestEvent | ResponseEvent>(line: T): T {
  if (line.body.data.length <= MEMORY_BODY_CAP) return { ...line };
  const keep = line.body.encoding === 'base64' ? Math.floor(MEMORY_BODY_CAP / 4) * 4 : MEMORY_BODY_CAP;
  return { ...line, body: { ...line.body, data: line.body.data.slice(0, keep), truncated: true } };
}

/** Reduces an in-memory copy to a light one; the session file still has it all. */
function evict(line: RequestEvent | ResponseEvent): void {
  line.headers = [];
  line.body = { ...line.body, data: '', truncated: true };
  line.evicted = true;
}

function isEvicted(line: SessionLine): boolean {
  return (line.type === 'request' || line.type === 'response') && line.evicted === true;
}

/**
 * Byte places of lines loaded from an existing session file (`--record FILE`), matched in
 * order against the file's raw lines; a line that cannot be matched gets null (kept full).
 */
function placesOf(buf: Buffer, lines: readonly SessionLine[]): Array<LinePlace | null> {
  const raw: Array<{ offset: number; length: number; text: string }> = [];
  for (let start = 0; start < buf.length; ) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    let stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    let offset = start;
    if (start === 0 && buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) offset = Math.min(3, stop);
    if (stop < offset) stop = offset;
    raw.push({ offset, length: stop - offset, text: buf.subarray(offset, stop).toString('utf8') });
    start = end + 1;
  }
  const places: Array<LinePlace | null> = [];
  let next = 0;
  for (const line of lines) {
    const want = JSON.stringify(line);
    let found = -1;
    for (let i = next; i < raw.length; i++) {
      if (sameJson(raw[i]!.text, want)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      places.push(null);
      continue;
    }
    places.push({ offset: raw[found]!.offset, length: raw[found]!.length });
    next = found + 1;
  }
  return places;
}

function sameJson(text: string, want: string): boolean {
  if (text === want) return true;
  const t = text.trim();
  if (!t.startsWith('{')) return false;
  try {
    return JSON.stringify(JSON.parse(t)) === want;
  } catch {
    return false;
  }
}

function isLoopback(host: string): boolean {
  return host === '::1' || /^127\./.test(host) || /^::ffff:7f[0-9a-f]{2}:/.test(host);
}

/**
 * One spelling per address, as a resolver reads it: numeric IPv4 forms (2130706433,
 * 0x7f000001, 0177.0.0.1, 127.1, 0) and IPv6 ones ([0:0:0:0:0:0:0:1], ::ffff:127.0.0.1)
 * normalised by the URL parser, no brackets, no trailing dot.
 */
function canonicalHost(host: string): string {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  try {
    return new URL(`http://${h.includes(':') ? `[${h}]` : h}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return h;
  }
}

async function buildPool(settings: EngineSettings): Promise<UpstreamPool> {
  const extraCa = await Promise.all(
    settings.upstreamCa.map((file) =>
      readFile(file, 'utf8').then(
        (pem) => {
          if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--upstream-ca ${file}: not a PEM certificate file`);
          return pem;
        },
        (err: Error) => {
          throw new Error(`--upstream-ca ${file}: cannot read it (${err.message})`);
        },
      ),
    ),
  );
  const clientCerts = await Promise.all(settings.clientCerts.map((c) => loadClientCert(specFromSetting(c))));
  return new UpstreamPool({
    extraCa,
    insecure: settings.upstreamInsecure,
    mapRemote: settings.mapRemote.map((m) => parseMapRemote(`${m.from}=${m.to}`)),
    clientCerts,
  });
}

export { parseClientCertSpec };
