// The client side of HTTP/2: an intercepted TLS connection whose client chose `h2` becomes
// one HTTP/2 server session. Its streams are multiplexed onto one backend connection of its
// own (h2 when the backend speaks it, else the HTTP/1.1 agents), so GOAWAY and RST_STREAM
// map one to one. A protocol error ends only that connection, with a recorded error line.
import http2 from 'node:http2';
import type tls from 'node:tls';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { END_STREAM_FLAG, objectPairs, pseudo, rawPairs } from './h2-headers.js';
import { H2_CONNECTION_WINDOW, H2_SESSION_OPTIONS } from './h2-limits.js';
import { HttpExchange, type ConnInfo } from './http-exchange.js';
import { relayToH2 } from './h2-relay.js';
import { answer502, failBeforeAnswer, type H2StreamContext } from './h2-stream.js';
import { translateToH1 } from './h2-to-h1.js';
import { BackendProtocols, openBackend, type BackendOpen, type H2Backend } from './h2-upstream.js';
import type { UpstreamPool } from './upstream.js';

export interface H2Deps {
  bus: EngineBus;
  pool: UpstreamPool;
  bodyCap: number;
  /** read per stream and per backend connection (a setting that can change while running) */
  upstreamTimeoutMs(): number;
  protocols: BackendProtocols;
  /** PING interval and answer deadline for client connections (H2_PING_MS). */
  pingMs: number;
}

/** Takes intercepted TLS sockets whose client negotiated h2. The server never listens. */
export class H2Front {
  private readonly server = http2.createServer({ ...H2_SESSION_OPTIONS });
  private pending: ConnInfo | null = null;

  constructor(private readonly deps: H2Deps) {
    // 'session' is emitted synchronously from the 'connection' the socket is handed in by.
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      const conn = this.pending;
      if (!conn) return void session.destroy();
      new H2ClientConnection(deps, conn, session, socketOf);
    });
  }

  accept(socket: tls.TLSSocket, conn: ConnInfo): void {
    // A server-side TLSSocket made outside a tls.Server keeps `secureConnecting` true (only
    // tls.Server's handshake callback clears it), and an h2 session waits for a
    // 'secureConnect' that never comes on such a socket. The handshake is done: say so.
    Object.assign(socket, { secureConnecting: false });
    this.pending = conn;
    socketOf = socket;
    try {
      this.server.emit('connection', socket);
    } finally {
      this.pending = null;
      socketOf = null;
    }
  }
}

/** The socket being handed in (read synchronously by the 'session' listener). */
let socketOf: tls.TLSSocket | null = null;

class H2ClientConnection {
  private pingPending = false;
  private backend: Promise<BackendOpen> | null = null;
  private backendSession: http2.ClientHttp2Session | null = null;
  private highestStream = 0;

  constructor(private readonly deps: H2Deps, private readonly conn: ConnInfo, private readonly session: http2.ServerHttp2Session, socket: tls.TLSSocket | null) {
    try {
      session.setLocalWindowSize(H2_CONNECTION_WINDOW);
    } catch {
      // Destroyed already (the client went away at once).
    }
    session.on('stream', (stream: http2.ServerHttp2Stream, _headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) =>
      this.onStream(stream, flags, rawHeaders));
    session.on('error', (err: NodeJS.ErrnoException) => {
      deps.bus.emit({
        type: 'error', time: now(), id: conn.id,
        message: `HTTP/2 connection from ${conn.clientAddress} to ${conn.host}:${conn.port} ended: ${err.code ? `${err.code}: ` : ''}${err.message}`,
      });
    });
    // A client's GOAWAY is passed on to its backend connection.
    session.on('goaway', (code: number) => {
      if (this.backendSession && !this.backendSession.closed) safely(() => this.backendSession?.goaway(code));
    });
    const ping = setInterval(() => this.checkAlive(), deps.pingMs);
    ping.unref();
    session.once('close', () => {
      clearInterval(ping);
      // Node does not always close the socket of a session it destroyed: the connection ends with it.
      if (socket && !socket.destroyed) socket.destroy();
      const up = this.backendSession;
      this.backendSession = null;
      if (up && !up.destroyed) up.destroy();
    });
  }

  /** A PING left unanswered for a whole interval: the connection is dead, or ended by a protocol error. */
  private checkAlive(): void {
    if (this.session.destroyed) return;
    if (this.pingPending) {
      this.deps.bus.emit({
        type: 'error', time: now(), id: this.conn.id,
        message: `HTTP/2 connection from ${this.conn.clientAddress} to ${this.conn.host}:${this.conn.port} ended: no answer to PING within ${this.deps.pingMs} ms (the client stopped reading, or Pinprobe sent GOAWAY for a protocol error such as a malformed frame)`,
      });
      return void this.session.destroy();
    }
    this.pingPending = true;
    safely(() => this.session.ping((err) => {
      if (!err) this.pingPending = false;
    }));
  }

  private onStream(stream: http2.ServerHttp2Stream, flags: number, rawHeaders: string[]): void {
    this.highestStream = Math.max(this.highestStream, stream.id ?? 0);
    stream.on('error', () => undefined);
    const all = rawPairs(rawHeaders);
    const pseudoHeaders = all.filter(([n]) => n.startsWith(':'));
    const method = pseudo(pseudoHeaders, ':method') ?? 'GET';
    const record = new HttpExchange(this.deps.bus, this.conn, {
      method, path: pseudo(pseudoHeaders, ':path') ?? '/', httpVersion: '2', headers: all.filter(([n]) => !n.startsWith(':')), pseudoHeaders,
    }, this.deps.bodyCap);
    // Features see it and may edit its regular headers before it is sent on (engine-bus.ts).
    this.deps.bus.runRequestHooks(record);
    const ctx: H2StreamContext = {
      bus: this.deps.bus, pool: this.deps.pool, conn: this.conn, stream, record,
      bodyless: (flags & END_STREAM_FLAG) !== 0, upstreamTimeoutMs: this.deps.upstreamTimeoutMs(),
    };
    // Whatever happens to the stream, its request line is written (the response line waits for it).
    stream.once('close', () => record.requestEnded());
    // Kept from the start: the trailers may arrive while the backend connection is still opening.
    stream.on('trailers', (trailers: http2.IncomingHttpHeaders) => (record.request.trailers = objectPairs(trailers)));
    if (method === 'CONNECT') {
      // A tunnel inside the tunnel (RFC 8441 WebSocket is not offered): refused, recorded.
      stream.respond({ ':status': 501, 'content-type': 'text/plain; charset=utf-8' });
      stream.end('Pinprobe does not relay CONNECT inside HTTP/2\n');
      record.requestEnded();
      record.answeredBy(501, 'Not Implemented', 'Pinprobe does not relay CONNECT inside HTTP/2\n');
      return;
    }
    stream.pause();
    void this.backendFor().then((open) => {
      stream.resume();
      if (stream.destroyed) {
        record.clientClosedEarly = true;
        record.requestEnded();
        return;
      }
      if (open.kind === 'http/1.1') return translateToH1(ctx);
      record.upstreamMappedTo = open.mappedTo;
      if (open.kind === 'h2') return relayToH2(ctx, open, this.takeFresh(open));
      // Every stream that waited for this attempt gets the 502; the first records the attempt.
      record.requestEnded();
      failBeforeAnswer(ctx, open.error, { ...open, reused: false, fresh: this.takeFresh(open) });
    }, (err: Error) => answer502(ctx, `Pinprobe: ${err.message}`));
  }

  private freshTaken = new WeakSet<object>();

  /** The first stream on a new backend connection records how that connection went. */
  private takeFresh(open: H2Backend | Extract<BackendOpen, { kind: 'failed' }>): boolean {
    const key = open.kind === 'h2' ? open.session : open;
    if (this.freshTaken.has(key)) return false;
    this.freshTaken.add(key);
    return true;
  }

  /** The backend connection this client connection's streams go to, opened on first use. */
  private backendFor(): Promise<BackendOpen> {
    const { pool, protocols } = this.deps;
    const { host, port } = this.conn;
    const known = protocols.get(pool, host, port);
    if (known === 'http/1.1') return Promise.resolve({ kind: 'http/1.1' });
    if (this.backend) return this.backend;
    const opening = openBackend(pool, host, port, { clientAddress: this.conn.clientAddress, timeoutMs: this.deps.upstreamTimeoutMs(), alpn: ['h2', 'http/1.1'] });
    this.backend = opening;
    void opening.then((open) => {
      if (open.kind === 'failed') {
        // The next stream tries again.
        if (this.backend === opening) this.backend = null;
        return;
      }
      if (open.kind === 'http/1.1') return protocols.set(pool, host, port, 'http/1.1');
      if (known !== 'h2-only') protocols.set(pool, host, port, 'h2');
      this.adopt(open.session, opening);
    });
    return opening;
  }

  private adopt(up: http2.ClientHttp2Session, opening: Promise<BackendOpen>): void {
    if (this.session.destroyed) return void up.destroy();
    this.backendSession = up;
    const forget = () => {
      if (this.backend === opening) this.backend = null;
      if (this.backendSession === up) this.backendSession = null;
    };
    // The backend's GOAWAY is relayed as such: the client stops opening streams here and
    // opens a new connection; streams the backend refused are reset REFUSED_STREAM.
    up.on('goaway', (code: number) => {
      forget();
      if (!this.session.closed && !this.session.destroyed) safely(() => this.session.goaway(code, this.highestStream));
    });
    up.once('close', forget);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A session that closed meanwhile.
  }
}

