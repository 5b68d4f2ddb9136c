// For a host with a configured client certificate, one extra attempt WITHOUT any
// certificate (once per host:port per session), so the report knows both halves: does the
// backend refuse without a certificate, and does it accept ours. Never sent to the phone.
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { runMtlsAttempt } from '../net/mtls-attempt.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { SessionEvent } from '../session/events.js';

export class MtlsProber {
  private probed = new Set<string>();
  /** request id -> host:port and the path to probe, until that host:port is probed */
  private paths = new Map<string, { key: string; path: string }>();

  constructor(private readonly bus: EngineBus, private readonly pool: () => UpstreamPool) {}

  onEvent(event: SessionEvent): void {
    if (event.type === 'request') {
      // The app's own GET path is the likeliest to be served; anything else probes "/".
      // Remembered only until the host:port is probed, so a long session does not pile them up.
      if (event.scheme !== 'https' || this.probed.has(key(event.host, event.port)) || !this.pool().clientCertFor(event.host, event.port)) return;
      const url = new URL(event.url);
      this.paths.set(event.id, { key: key(event.host, event.port), path: event.method === 'GET' ? url.pathname + url.search : '/' });
      return;
    }
    if (event.type !== 'upstream' || event.probe || !event.clientCert) return;
    const k = key(event.host, event.port);
    if (this.probed.has(k)) return;
    this.probed.add(k);
    const path = (event.request && this.paths.get(event.request)?.path) || '/';
    for (const [id, p] of this.paths) if (p.key === k) this.paths.delete(id);
    void this.probe(event.host, event.port, path, event.request);
  }

  private async probe(host: string, port: number, path: string, requestId: string | null): Promise<void> {
    const pool = this.pool();
    const route = pool.route(host, port);
    const { ca, rejectUnauthorized } = pool.tlsOptions();
    const result = await runMtlsAttempt(
      { host, port, path, connectTo: { host: route.connectHost, port: route.connectPort } },
      { ca, insecure: !rejectUnauthorized },
    );
    const { statusText: _s, bodyStart: _b, ...fields } = result;
    this.bus.emit({ type: 'upstream', time: now(), id: this.bus.nextId('u'), request: requestId, host, port, probe: true, clientCert: null, ...fields });
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

function key(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}
