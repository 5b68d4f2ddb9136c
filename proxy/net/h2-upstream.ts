// Backend connections for HTTP/2: TLS with ALPN `h2, http/1.1` (trust and client
// certificate from the upstream pool, like every other upstream connection), then an h2
// session when the backend picks h2. What each backend picked is remembered per host, port
// and client identity, so an HTTP/1.1-only backend is asked once, and an h2-only one is
// known when an HTTP/1.1 client's request has to be sent in h2.
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { LoadedClientCert } from './client-certs.js';
import { H2_CONNECTION_WINDOW, H2_SESSION_OPTIONS } from './h2-limits.js';
import type { UpstreamPool } from './upstream.js';
import { hostPort } from './authority.js';

export type BackendProtocol = 'h2' | 'http/1.1' | 'h2-only';

export interface H2Backend {
  kind: 'h2';
  session: http2.ClientHttp2Session;
  tlsVersion: string | null;
  clientCert: LoadedClientCert | null;
  /** Where a --map-remote rule sent the connection (`ADDR:PORT`), or null. */
  mappedTo: string | null;
  /** The first error of the session (a TLS 1.3 alert on the first read, a reset): streams fail with it. */
  sessionError(): Error | null;
}

export type BackendOpen =
  | H2Backend
  | { kind: 'http/1.1' }
  | { kind: 'failed'; error: Error; handshakeDone: boolean; connected: boolean; tlsVersion: string | null; clientCert: LoadedClientCert | null; mappedTo: string | null };

const MAX_REMEMBERED = 4096;

/** What backends answered in ALPN (bounded: a session reaching many hosts does not grow it without end). */
export class BackendProtocols {
  private known = new Map<string, BackendProtocol>();

  get(pool: UpstreamPool, host: string, port: number): BackendProtocol | undefined {
    return this.known.get(backendProtocolKey(pool, host, port));
  }

  /** `get` with the key worked out beforehand (the HTTP/1.1 forwarder keeps one per connection). */
  getKey(key: string): BackendProtocol | undefined {
    return this.known.get(key);
  }

  set(pool: UpstreamPool, host: string, port: number, protocol: BackendProtocol): void {
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(backendProtocolKey(pool, host, port), protocol);
  }
}

/** Host, port and client identity: what a backend's protocol choice is remembered by. */
export function backendProtocolKey(pool: UpstreamPool, host: string, port: number): string {
  return `${host.toLowerCase()}:${port}|${pool.clientCertFor(host, port)?.fingerprint ?? '-'}`;
}

export interface OpenOptions {
  clientAddress: string;
  timeoutMs: number;
  /** ['h2'] for an HTTP/1.1 client's request to a backend known to speak h2 only. */
  alpn: string[];
  /** Connect without the client certificate a --client-cert rule would present (a resend's "without certificate" variant). */
  withoutClientCert?: boolean;
}

/** Connects to host:port's backend; never rejects (a failure is a result). */
export function openBackend(pool: UpstreamPool, host: string, port: number, opts: OpenOptions): Promise<BackendOpen> {
  const route = pool.route(host, port);
  const clientCert = opts.withoutClientCert ? null : pool.clientCertFor(host, port);
  return new Promise((resolve) => {
    let handshakeDone = false;
    let connected = false;
    let tlsVersion: string | null = null;
    const socket = tls.connect({
      host: route.connectHost,
      port: route.connectPort,
      servername: net.isIP(route.servername) ? undefined : route.servername,
      ALPNProtocols: opts.alpn,
      ...pool.connectOptions(host, port),
      ...(opts.withoutClientCert ? { secureContext: pool.secureContext(null) } : {}),
      // Verified against the name the client asked for, even when map-remote sends it elsewhere.
      checkServerIdentity: (_h, cert) => tls.checkServerIdentity(route.servername, cert),
    });
    pool.guard(socket, { clientAddress: opts.clientAddress, mapped: route.mapped }, route.connectHost);
    socket.setTimeout(opts.timeoutMs, () =>
      socket.destroy(Object.assign(new Error(`no TLS connection within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => (connected = true));
    const failed = (error: Error) => resolve({ kind: 'failed', error, handshakeDone, connected, tlsVersion, clientCert, mappedTo: route.mappedTo });
    socket.once('error', failed);
    socket.once('secureConnect', () => {
      handshakeDone = true;
      tlsVersion = socket.getProtocol() ?? null;
      socket.setTimeout(0);
      socket.off('error', failed);
      if (socket.alpnProtocol !== 'h2') {
        // An HTTP/1.1 backend: its requests go through the pool's keep-alive agent instead.
        socket.destroy();
        return resolve({ kind: 'http/1.1' });
      }
      let firstError: Error | null = null;
      // The session owns the socket from here; its errors reach the streams.
      socket.on('error', (err) => (firstError ??= err));
      const authority = `https://${hostPort(route.servername, port)}`;
      const session = http2.connect(authority, { ...H2_SESSION_OPTIONS, createConnection: () => socket });
      session.on('error', (err) => (firstError ??= err));
      session.once('connect', () => {
        try {
          session.setLocalWindowSize(H2_CONNECTION_WINDOW);
        } catch {
          // A session destroyed in between: its streams report that.
        }
      });
      resolve({ kind: 'h2', session, tlsVersion, clientCert, mappedTo: route.mappedTo, sessionError: () => firstError });
    });
  });
}

/** Node's "the backend refused our ALPN" (an h2-only backend asked for http/1.1 alone). */
export function isAlpnRefusal(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  return Boolean(e && (e.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' || /alert number 120\b|no application protocol/i.test(e.message ?? '')));
}
