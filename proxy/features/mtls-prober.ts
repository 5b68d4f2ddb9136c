// For a host with a configured client certificate, one extra attempt WITHOUT any
// certificate (once per host:port per session), so the report knows both halves: does the
// backend refuse without a certificate, and does it accept ours. Never sent to the phone.
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { runMtlsAttempt } from '../net/mtls-attempt.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { Exchange } from '../net/http-exchange.js';
import type { SessionEvent } from '../session/events.js';
import { hostPortKey } from '../host-key.js';
import type { Feature } from './feature.js';

export class MtlsProber implements Feature {
  readonly name = 'mtls-prober';
  private probed = new Set<string>();
  /** request id -> host:port and the path to probe, until that host:port is probed */
  private paths = new Map<string, { key: string; path: string; clientAddress: string }>();
  /** Probes still under way: a stop waits for them so their line is not lost (SPEC). */
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly bus: EngineBus, private readonly pool: () => UpstreamPool) {}

  /**
   * The request's head, before it is forwarded: its upstream line (what starts the probe) can
   * be recorded before its request line, which waits for the body's end (an upload, an early
   * answer) — and the probe must know whose request it follows.
   */
  onRequest(exchange: Exchange): void {
    const { conn, request } = exchange;
    this.note(exchange.id, conn.scheme, conn.host, conn.port, request.method === 'GET' ? request.path : '/', conn.clientAddress);
  }

  private note(id: string, scheme: string, host: string, port: number, path: string, clientAddress: string): void {
    // Per request: the cheap tests first (most hosts have no configured certificate).
    if (scheme !== 'https' || this.probed.has(key(host, port)) || !this.pool().clientCertFor(host, port)) return;
    this.paths.set(id, { key: key(host, port), path, clientAddress });
  }

  onEvent(event: SessionEvent): void {
    // A wss:// upgrade is no exchange (net/websocket.ts): its request line says what onRequest would.
    if (event.type === 'request') {
      if (event.scheme === 'https' && !this.paths.has(event.id) && event.headers.some(isUpgrade)) {
        const url = new URL(event.url);
        this.note(event.id, 'https', event.host, event.port, url.pathname + url.search, event.clientAddress);
      }
      return;
    }
    if (event.type !== 'upstream' || event.probe || !event.clientCert) return;
    const k = key(event.host, event.port);
    if (this.probed.has(k)) return;
    this.probed.add(k);
    const asked = event.request ? this.paths.get(event.request) : undefined;
    const path = asked?.path || '/';
    // Whose request it follows decides where the probe may go (the upstream guard): unknown
    // is treated as a device on the network, the stricter case.
    const clientAddress = asked?.clientAddress ?? '';
    for (const [id, p] of this.paths) if (p.key === k) this.paths.delete(id);
    const running = this.probe(event.host, event.port, path, event.request, clientAddress).catch((err: Error) => {
      this.bus.emit({ type: 'error', time: now(), id: null, message: `mTLS probe of ${event.host}:${event.port} failed: ${err.message}` });
    });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  /** Resolves once every probe started so far has recorded its attempt (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    await Promise.race([Promise.all([...this.inFlight]), new Promise((ok) => setTimeout(ok, timeoutMs).unref())]);
  }

  private async probe(host: string, port: number, path: string, requestId: string | null, clientAddress: string): Promise<void> {
    const pool = this.pool();
    const route = pool.route(host, port);
    const { ca, rejectUnauthorized } = pool.tlsOptions();
    // The same guard as the app's own upstream connections: a device on the network must not
    // reach this computer's loopback services (or Pinprobe itself) through the probe either.
    const result = await runMtlsAttempt(
      { host, port, path, connectTo: { host: route.connectHost, port: route.connectPort } },
      { ca, insecure: !rejectUnauthorized, onSocket: (socket) => pool.guard(socket, { clientAddress, mapped: route.mapped }, route.connectHost) },
    );
    const { statusText: _s, bodyStart: _b, ...fields } = result;
    this.bus.emit({ type: 'upstream', time: now(), id: this.bus.nextId('u'), request: requestId, host, port, probe: true, clientCert: null, ...fields, ...(route.mappedTo !== null ? { mappedTo: route.mappedTo } : {}) });
  }

  /** How many request paths are remembered (for tests: stays bounded). */
  get pendingPaths(): number {
    return this.paths.size;
  }

  reset(): void {
    this.probed.clear();
    this.paths.clear();
  }
}

const key = hostPortKey;

function isUpgrade([name]: readonly [string, string]): boolean {
  return name.length === 7 && name.toLowerCase() === 'upgrade';
}
