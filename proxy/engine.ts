// The engine: root CA + issuer, the proxy listener, the upstream pool, and the features on
// its event bus (session recording, passthrough, scenario rotation, mTLS prober; see
// features/index.ts). The CLI, the control API and the desktop app all drive this one object.
import type http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { loadOrCreateRootCa, type RootCa } from './ca/root-ca.js';
import { CertificateIssuer } from './ca/issuer.js';
import { exportCa } from './ca/export.js';
import { existsSync } from 'node:fs';
import { defaultDataDir, sessionFileName } from './data-dir.js';
import { EngineBus, now } from './engine-bus.js';
import { defaultFeatures, type Feature } from './features/index.js';
import type { CaFormat, EngineControl, EngineStatus } from './api/engine-port.js';
import { checkPatch, DEFAULT_SETTINGS, patchRebuildsPool, recordedOptions, type EngineSettings } from './settings.js';
import { DEFAULT_BODY_CAP } from './net/body-capture.js';
import { parseClientCertSpec } from './net/client-certs.js';
import { lanAddresses, reachableAddresses } from './net/lan-addresses.js';
import { createProxyServer } from './net/proxy-server.js';
import { serveOnboarding } from './onboarding/serve.js';
import { H2_PING_MS } from './net/h2-limits.js';
import type { UpstreamPool } from './net/upstream.js';
import { buildPool } from './net/upstream-settings.js';
import { isOwnEndpoint } from './net/own-endpoint.js';
import { settleNextTick } from './net/settle-next-tick.js';
import { DEFAULT_IDLE_WINDOW, type IdleWindowRule } from './observe/client-outcome.js';
import { SESSION_SCHEMA, type SessionEvent, type SessionHeader, type SessionLine, type SettingsEvent } from './session/events.js';
import { defaultMaxConnections, resolveLimits, type ConnLimits } from './net/conn-limits.js';
import { SessionRecording, type UnwrittenAtEnd } from './session/recording.js';
import { judge } from './judge/index.js';
import type { Report } from './judge/report-types.js';

export interface EngineOptions {
  port?: number;
  listen?: string;
  dataDir?: string;
  /** session file; default DATA/sessions/<ISO time>.pinprobe.jsonl */
  record?: string;
  /**
   * false: the session-recording feature is left off the list — no session file, no
   * in-memory session, no verdicts; traffic is only routed (`pinprobe proxy --no-record`,
   * and what `npm run bench` measures as "recording off"). Default true.
   */
  recording?: boolean;
  /** Where a recording stop/resume message goes (default: one line on stderr). */
  onRecordingTrouble?: (message: string) => void;
  settings?: Partial<EngineSettings>;
  bodyCap?: number;
  idleWindow?: IdleWindowRule;
  helloTimeoutMs?: number;
  // The other timeouts (the upstream timeout too) and the connection limits are settings (idleTimeout, …, settings.ts).
  /** HTTP/2 liveness: a client connection that leaves a PING unanswered this long is closed (default 20 s). */
  h2PingMs?: number;
  version?: string;
  /** Request/response lines kept in memory with headers and bodies; default MEMORY_HTTP_LINES. */
  memoryHttpLines?: number;
  /** Answers requests sent straight to the proxy; default: the onboarding page. False = not handled. */
  onboarding?: (req: http.IncomingMessage, res: http.ServerResponse, engine: Engine) => boolean;
}

// Defaults come from the settings table; re-exported for callers that used them from here.
export { DEFAULT_SETTINGS };

export class Engine implements EngineControl {
  readonly bus = new EngineBus();
  private server: http.Server | null = null;
  /** The session-recording feature (first on the list), or null with `recording: false`. */
  private readonly recording: SessionRecording | null;
  private pool: UpstreamPool;
  private current: EngineSettings;
  /** Features, in the order their hooks are asked (features/index.ts). */
  private readonly features: readonly Feature[];
  private boundPort: number;
  /** open client sockets, each with a promise of its close (one listener per socket) */
  private sockets = new Map<net.Socket, Promise<void>>();
  /** ports of other Pinprobe listeners in this process (the control API) */
  readonly ownPorts = new Set<number>();
  private sessionPath: string;
  /** Set between the start of a session and its end (with or without recording). */
  private sessionOpen = false;

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
    this.sessionPath = resolve(options.record ?? join(dataDir, 'sessions', freeSessionName(join(dataDir, 'sessions'))));
    this.recording = options.recording === false
      ? null
      : new SessionRecording(this.sessionPath, { memoryHttpLines: options.memoryHttpLines, onTrouble: options.onRecordingTrouble });
    this.features = defaultFeatures({ bus: this.bus, settings: () => this.current, pool: () => this.pool, recording: this.recording });
    const features = this.features;
    // The first feature with a scenario chooses (scenario rotation always has one).
    this.bus.hooks.scenario = (t) => {
      for (const f of features) {
        const s = f.scenario?.(t);
        if (s) return s;
      }
      return 'trusted';
    };
    for (const f of features) if (f.tunnel) this.bus.hooks.tunnel.push((t) => f.tunnel?.(t) ?? null);
    for (const f of features) if (f.onRequest) this.bus.hooks.request.push((ex) => f.onRequest?.(ex));
    for (const f of features) if (f.onResponse) this.bus.hooks.response.push((ex) => f.onResponse?.(ex));
    // In list order: the recording first, so a feature's own events land after their cause.
    for (const f of features) if (f.onEvent) this.bus.on((event) => f.onEvent?.(event));
  }

  /** Loads the CA (creating it on first use), the upstream trust and client certificates; throws on bad input. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const dataDir = resolve(options.dataDir ?? defaultDataDir());
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const pool = await buildPool(settings);
    const root = await loadOrCreateRootCa(dataDir);
    const issuer = await CertificateIssuer.create(root, dirname(root.keyPath));
    return new Engine(options, dataDir, root, issuer, settings, pool);
  }

  get port(): number {
    return this.boundPort;
  }

  /** False with `recording: false` (`--no-record`): nothing is written, kept or judged. */
  get records(): boolean {
    return this.recording !== null;
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
      upstreamTimeoutMs: () => this.limits().upstreamTimeoutMs,
      idleWindow: this.options.idleWindow ?? DEFAULT_IDLE_WINDOW,
      requestClientCert: this.current.requestClientCert,
      helloTimeoutMs: this.options.helloTimeoutMs ?? 5_000,
      limits: () => this.limits(),
      h2PingMs: this.options.h2PingMs ?? H2_PING_MS,
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
    // A session path that cannot take files fails here, before the port is bound.
    if (!this.sessionOpen) this.recording?.prepare();
    // Before the first connection (settle-next-tick.ts: 8–10% of CPU per request).
    settleNextTick();
    await new Promise<void>((ok, fail) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        fail(new Error(listenFailure(err, listen, this.boundPort))));
      server.listen(this.boundPort, listen, () => ok());
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      // Out of descriptors is one warning per episode (conn-guard.ts), not a line per accept.
      if (err.code === 'EMFILE' || err.code === 'ENFILE') return;
      this.bus.emit({ type: 'error', time: now(), id: null, message: `proxy listener: ${err.message}` });
    });
    this.boundPort = (server.address() as net.AddressInfo).port;
    // After listen, so the header names the real port.
    if (!this.sessionOpen) {
      try {
        this.openSession();
      } catch (err) {
        await new Promise((ok) => server.close(ok));
        throw err;
      }
    }
    this.server = server;
    // Once listening (start-up is not made longer): the first backend request finds its trust store built.
    this.prepareTimer = setTimeout(() => {
      this.prepareTimer = null;
      this.pool.prepare();
    }, 0);
    this.prepareTimer.unref();
  }

  /** The idle build of the upstream trust store, due just after listening (start). */
  private prepareTimer: NodeJS.Timeout | null = null;

  /** Stops accepting and closes open connections; the session file stays open. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // Stopped before the trust store was built: no reason to build it for a pool being dropped.
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = null;
    // Wait for every cut connection to report its outcome and close line before anything
    // (close(), a new session) ends the file: a stop must not lose session lines.
    const closed = [...this.sockets.values()];
    await new Promise<void>((ok) => {
      server.close(() => ok());
      for (const s of this.sockets.keys()) s.destroy();
    });
    await Promise.race([Promise.all(closed), new Promise((ok) => setTimeout(ok, 2000).unref()), this.untilHurried()]);
    // The TLS layer above each socket reports its close one tick after the socket's own.
    await new Promise((ok) => setImmediate(ok));
  }

  /** Waits that hurry() ends: cut connections' close lines, checks still in flight. */
  private readonly hurryWaiters = new Set<() => void>();
  private hurried = false;

  /** The open-files limit does not change while running: read it once. */
  private readonly autoMaxConnections = defaultMaxConnections();

  /** Timeouts and limits from the current settings (read at each connection: changes apply at once). */
  private limits(): ConnLimits {
    // Read per request for the upstream timeout: resolved once per settings object.
    if (this.resolvedFor !== this.current) {
      this.resolved = resolveLimits(this.current, this.autoMaxConnections);
      this.resolvedFor = this.current;
    }
    return this.resolved!;
  }
  private resolved: ConnLimits | null = null;
  private resolvedFor: EngineSettings | null = null;

  private connectionLimits(): NonNullable<EngineStatus['connectionLimits']> {
    const { maxConnections, maxConnectionsPerClient } = this.limits();
    return { maxConnections, maxConnectionsPerClient };
  }

  private untilHurried(): Promise<void> {
    if (this.hurried) return Promise.resolve();
    return new Promise<void>((ok) => this.hurryWaiters.add(ok));
  }

  /**
   * A second Ctrl-C: stop waiting for cut connections' close lines and for checks still in
   * flight (an mTLS probe to a backend that does not answer waits up to its timeout). The
   * session still ends with its session-end line; what was not finished is not recorded.
   */
  hurry(): void {
    this.hurried = true;
    for (const ok of this.hurryWaiters) ok();
    this.hurryWaiters.clear();
  }

  /** Stops the proxy and ends the session file (with a session-end line). */
  async close(): Promise<void> {
    await this.stop();
    // An mTLS probe started by the last request must land in the file before session-end
    // (unless the user hurried the stop).
    await Promise.race([this.drainFeatures(), this.untilHurried()]);
    this.endSession();
    this.pool.destroy();
  }

  status(): EngineStatus {
    // Whoever reads the session file (save-as, the UI's file views) asks for its path here
    // first: the file then holds every line so far, not all but the last batch.
    this.recording?.flush();
    return {
      running: this.server !== null,
      listen: this.options.listen ?? '0.0.0.0',
      port: this.boundPort,
      sessionFile: this.sessionPath,
      caCertPath: this.root.certPath,
      caSubject: this.root.subject,
      lanAddresses: reachableAddresses(this.options.listen ?? '0.0.0.0', lanAddresses()),
      dataDir: this.dataDir,
      recordingStopped: this.recording?.stopped ?? null,
      connectionLimits: this.connectionLimits(),
    };
  }

  lines(): readonly SessionLine[] {
    return this.recording?.lines() ?? [];
  }

  settle(): void {
    this.recording?.recordQueued();
  }

  /** The live verdicts (judge/live.ts): the report `pinprobe report` gives for the session file. */
  report(): Report {
    return this.recording?.report() ?? judge([], { file: this.sessionPath });
  }

  lineCount(): number {
    return this.recording?.lineCount() ?? 0;
  }

  linesFrom(from: number, to?: number): readonly SessionLine[] {
    return this.recording?.linesFrom(from, to) ?? [];
  }

  /** A line as the session file holds it (headers, bodies up to the cap); see SessionMemory. */
  async fullLine(index: number): Promise<SessionLine | null> {
    return this.recording ? this.recording.fullLine(index) : null;
  }

  subscribe(listener: (line: SessionLine, json: string | null) => void, options?: { keepsLines?: boolean }): () => void {
    return this.recording?.subscribe(listener, options) ?? (() => undefined);
  }

  settings(): EngineSettings {
    return structuredClone(this.current);
  }

  async updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    checkPatch(patch);
    const next = { ...this.current, ...patch };
    if (patch.deviceTrustsCa !== undefined) {
      // checkPatch checked every entry; the list is kept trimmed, without blanks or repeats.
      next.deviceTrustsCa = [...new Set(patch.deviceTrustsCa.map((d) => d.trim()).filter((d) => d !== ''))];
    }
    const needsPool = patchRebuildsPool(patch);
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
    const before = this.current.deviceTrustsCa;
    this.current = next;
    if (patch.deviceTrustsCa !== undefined) this.recordDeviceTrust(before, next.deviceTrustsCa, 'ui');
    this.recordSettingsChange(patch);
    return this.settings();
  }

  async newSession(): Promise<string> {
    await this.drainFeatures();
    this.endSession();
    this.sessionPath = resolve(join(this.dataDir, 'sessions', freeSessionName(join(this.dataDir, 'sessions'))));
    this.recording?.moveTo(this.sessionPath);
    this.pool.dropConnections();
    for (const f of this.features) f.reset?.();
    this.openSession();
    return this.sessionPath;
  }

  /** For POST /api/backend-check: check-auth's lines join the live session like any other. */
  readonly backendChecks = {
    pool: (): UpstreamPool => this.pool,
    // Straight to the recorder: these are Pinprobe's own requests, not the app's, so the
    // features (rotation, passthrough, mTLS prober) must not react to them.
    record: (line: SessionEvent): void => this.recording?.record(line),
  };

  exportCa(format: CaFormat): { data: Buffer; fileName: string; contentType: string } {
    return exportCa(this.root, format);
  }

  private openSession(): void {
    this.sessionOpen = true;
    const loaded = this.recording?.continueExisting() ?? null;
    if (loaded) {
      // `--record FILE` continues a session: ids go on from its last ones, and the
      // features (audit rotation, auto-passthrough) pick up where it stopped.
      this.bus.seedIds(loaded);
      for (const f of this.features) f.restore?.(loaded);
    } else {
      const header: SessionHeader = {
        type: 'session',
        schema: SESSION_SCHEMA,
        time: now(),
        version: this.options.version ?? '0.0.0',
        proxy: { listen: this.options.listen ?? '0.0.0.0', port: this.boundPort },
        caSubject: this.root.subject,
        options: recordedOptions(this.current),
      };
      this.recording?.open(header);
    }
    this.recordDeviceTrust([], this.current.deviceTrustsCa, 'option');
  }

  /** Header options changed while the session runs get a `settings` line (the judge reads it). */
  private recordSettingsChange(patch: Partial<EngineSettings>): void {
    if (!this.sessionOpen) return;
    const options: SettingsEvent['options'] = recordedOptions(this.current, patch);
    if (Object.keys(options).length > 0) this.record({ type: 'settings', time: now(), source: 'ui', options });
  }

  /** Work the features still have in flight (an mTLS probe) reaches the session before it ends. */
  private async drainFeatures(): Promise<void> {
    const timeoutMs = this.limits().upstreamTimeoutMs;
    await Promise.all(this.features.map((f) => f.drain?.(timeoutMs)));
  }

  /** One `device-trust` line per change, so the judge (a pure function of the file) re-judges. */
  private recordDeviceTrust(before: readonly string[], after: readonly string[], source: 'option' | 'ui'): void {
    for (const device of before) if (!after.includes(device)) this.record({ type: 'device-trust', time: now(), device, trustsCa: false, source });
    for (const device of after) if (!before.includes(device)) this.record({ type: 'device-trust', time: now(), device, trustsCa: true, source });
  }

  /**
   * After the session ended: the lines its file lacks because the disk was still full at
   * the stop (session-end among them), or null when the file is whole. The CLI says so.
   */
  get unwritten(): UnwrittenAtEnd | null {
    return this.unwrittenAtEnd;
  }

  private unwrittenAtEnd: UnwrittenAtEnd | null = null;

  private endSession(): void {
    if (!this.sessionOpen) return;
    this.sessionOpen = false;
    this.unwrittenAtEnd = this.recording?.end({ type: 'session-end', time: now() }) ?? null;
  }

  /** Straight to the recording (device-trust and settings lines are the engine's own). */
  private record(line: SessionEvent): void {
    this.recording?.record(line);
  }

  private isOwnEndpoint(host: string, port: number): boolean {
    return isOwnEndpoint(host, port, { ports: new Set([this.boundPort, ...this.ownPorts]), listen: this.options.listen ?? '0.0.0.0' });
  }
}

export { parseClientCertSpec };
export { MEMORY_BODY_CAP, MEMORY_HTTP_LINES } from './session/memory.js';

/** Why the proxy could not listen, with the option that fixes it. */
export function listenFailure(err: NodeJS.ErrnoException, listenAddress: string, port: number): string {
  // An IPv6 address in brackets, so its port stays readable (the banner's form).
  const listen = listenAddress.includes(':') ? `[${listenAddress}]` : listenAddress;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${listen} is already in use — stop the other proxy or choose another with --port`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${listen}:${port}: ${listenAddress} is not an address of this computer — give --listen one of its addresses, 0.0.0.0 for all of them, or 127.0.0.1 for this computer only`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${listen}:${port}: "${listenAddress}" is not an IP address, nor a name this computer resolves — give --listen an address such as 0.0.0.0 (all) or 127.0.0.1 (this computer only)`;
    case 'EACCES':
      if (port > 0 && port < 1024) return `cannot listen on ${listen}:${port}: ports below 1024 need administrator rights — choose another with --port (8080 is the default)`;
      return `cannot listen on ${listen}:${port}: permission denied (EACCES)`;
    default:
      return `cannot listen on ${listen}:${port}: ${err.message}`;
  }
}

/** A session file name not taken yet: two New sessions within one second get -2, -3… */
function freeSessionName(dir: string): string {
  const name = sessionFileName();
  if (!existsSync(join(dir, name))) return name;
  const stem = name.replace(/\.pinprobe\.jsonl$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}.pinprobe.jsonl`;
    if (!existsSync(join(dir, candidate))) return candidate;
  }
}
