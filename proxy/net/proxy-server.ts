// The proxy listener: CONNECT tunnels (intercepted or relayed), plain absolute-form HTTP
// requests (recorded as cleartext), WebSocket upgrades, and the onboarding page for
// requests sent straight to the proxy. Bad input gets an error or a close, never a crash.
import http from 'node:http';
import net from 'node:net';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { ConnGuard } from './conn-guard.js';
import type { ConnLimits } from './conn-limits.js';
import { peekClientHello } from './client-hello.js';
import { forwardRequest, type ForwardDeps } from './http-forward.js';
import type { ConnInfo } from './http-exchange.js';
import { intercept, type InterceptDeps } from './intercept.js';
import { H2Front } from './h2-server.js';
import { BackendProtocols } from './h2-upstream.js';
import { tunnel } from './tunnel.js';
import { splitHostPort } from './upstream.js';
import { forwardUpgrade } from './websocket.js';
import { isOnboardingHost } from '../onboarding/host.js';

export interface ProxyServerDeps extends ForwardDeps, Omit<InterceptDeps, 'innerHttp' | 'connInfo' | 'h2'> {
  /** true when host:port is this proxy's own listener or control API */
  isOwnEndpoint: (host: string, port: number) => boolean;
  /** answers requests for the onboarding page; returns false when the request is not one */
  onboarding: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** ms to wait for a ClientHello after CONNECT before relaying bytes untouched */
  helloTimeoutMs: number;
  /** timeouts and limits, read at each use (settings can change while running) */
  limits: () => ConnLimits;
  /** HTTP/2 client connections are pinged this often; one that leaves a PING unanswered that long is closed */
  h2PingMs: number;
}

function serverOptions(headersTimeoutMs: number): http.ServerOptions {
  return {
    // Slow or stuck clients are cut off rather than holding sockets forever; bodies may
    // take as long as they stream (uploads), so only the headers are timed. The timeout is
    // set again on each new connection (a settings change applies at once); the check runs
    // at least once a second so a shortened one is kept to within a second.
    headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(headersTimeoutMs / 2))),
    requestTimeout: 0,
    keepAliveTimeout: 30_000,
    maxHeaderSize: 32 * 1024,
  };
}

export function createProxyServer(deps: ProxyServerDeps): http.Server {
  const connInfo = new WeakMap<net.Socket, ConnInfo>();
  const headersTimeoutMs = deps.limits().headersTimeoutMs;
  const inner = http.createServer(serverOptions(headersTimeoutMs));
  const outer = http.createServer(serverOptions(headersTimeoutMs));
  // Node tracks connections for headersTimeout (and starts the periodic check) when a server
  // starts listening. `inner` never listens — intercepted sockets are emitted into it — so
  // without this a slow client inside TLS is never cut off. close() stops the check.
  inner.emit('listening');
  const protocols = new BackendProtocols();
  const h2 = new H2Front({ bus: deps.bus, pool: deps.pool, bodyCap: deps.bodyCap, upstreamTimeoutMs: deps.upstreamTimeoutMs, protocols, pingMs: deps.h2PingMs });
  const interceptDeps: InterceptDeps = { ...deps, innerHttp: inner, connInfo, h2 };
  const forwardDeps = { ...deps, protocols };
  // Node reads headersTimeout at each check: a changed setting applies from the next connection.
  outer.on('connection', () => {
    const ms = deps.limits().headersTimeoutMs;
    outer.headersTimeout = ms;
    inner.headersTimeout = ms;
  });
  // Out of descriptors: one line on stderr and one in the session, not one per accept.
  const say = (message: string) => {
    process.stderr.write(message + '\n');
    deps.bus.emit({ type: 'error', time: now(), id: null, message });
  };
  new ConnGuard({ limits: deps.limits, warn: say, notice: say }).attach(outer);

  inner.on('request', (req, res) => {
    const conn = connInfo.get(req.socket);
    if (!conn) return void res.writeHead(500).end();
    forwardRequest(forwardDeps, conn, req, res, originPath(req.url));
  });
  inner.on('upgrade', (req, socket, head) => {
    const conn = connInfo.get(req.socket as net.Socket);
    if (!conn) return void socket.destroy();
    forwardUpgrade(deps, conn, req, socket, head, originPath(req.url));
  });
  inner.on('clientError', (err, socket) => rejectBadRequest(err, socket));

  const plainConns = new WeakMap<net.Socket, Map<string, ConnInfo>>();
  const plainConn = (req: http.IncomingMessage, host: string, port: number): ConnInfo => {
    let byHost = plainConns.get(req.socket);
    if (!byHost) plainConns.set(req.socket, (byHost = new Map()));
    const key = `${host}:${port}`;
    let conn = byHost.get(key);
    if (!conn) {
      conn = { id: deps.bus.nextId('c'), scheme: 'http', host, port, clientAddress: clientAddress(req.socket) };
      byHost.set(key, conn);
      deps.bus.emit({
        type: 'connection', time: now(), id: conn.id, client: { address: conn.clientAddress, port: req.socket.remotePort ?? 0 },
        target: { host, port }, mode: 'plain', scenario: null,
      });
    }
    return conn;
  };

  outer.on('request', (req, res) => {
    const url = absoluteUrl(req.url);
    if (!url) {
      if (deps.onboarding(req, res)) return;
      return void plainError(res, 400, 'This is the Pinprobe proxy. Set it as the HTTP proxy of your device, or open / for setup.');
    }
    if (url.protocol !== 'http:') return void plainError(res, 400, `Pinprobe: ${url.protocol} URLs cannot be sent in plain form; use CONNECT`);
    const host = unbracket(url.hostname);
    const port = Number(url.port || 80);
    if (isOnboardingHost(host)) {
      if (deps.onboarding(req, res)) return;
      return void plainError(res, 404, 'Pinprobe onboarding is not available');
    }
    if (deps.isOwnEndpoint(host, port)) return void plainError(res, 403, `Pinprobe does not forward to its own listener or control API (${host}:${port})`);
    forwardRequest(forwardDeps, plainConn(req, host, port), req, res, url.pathname + url.search);
  });

  outer.on('upgrade', (req, socket, head) => {
    const url = absoluteUrl(req.url);
    if (!url || url.protocol !== 'http:') return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const host = unbracket(url.hostname);
    const port = Number(url.port || 80);
    if (deps.isOwnEndpoint(host, port)) return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    forwardUpgrade(deps, plainConn(req, host, port), req, socket, head, url.pathname + url.search);
  });

  outer.on('connect', (req, socket: net.Socket, head: Buffer) => {
    void handleConnect(deps, interceptDeps, req, socket, head).catch((err: Error) => {
      deps.bus.emit({ type: 'error', time: now(), id: null, message: `CONNECT ${req.url}: ${err.message}` });
      socket.destroy();
    });
  });
  outer.on('clientError', (err, socket) => rejectBadRequest(err, socket));
  outer.on('close', () => inner.close());
  return outer;
}

async function handleConnect(deps: ProxyServerDeps, interceptDeps: InterceptDeps, req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
  const connectAt = performance.now();
  socket.on('error', () => socket.destroy());
  const target = splitHostPort(req.url ?? '', null);
  if (!target || target.port === null) {
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nPinprobe: CONNECT needs host:port, got "${String(req.url).slice(0, 100)}"\n`);
    return;
  }
  const host = target.host.toLowerCase();
  const port = target.port;
  if (deps.isOwnEndpoint(host, port)) {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nPinprobe does not tunnel to its own listener or control API\n');
    return;
  }
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  socket.setNoDelay(true);
  const connId = deps.bus.nextId('c');
  const client = { address: clientAddress(socket), port: socket.remotePort ?? 0 };
  const { bytes, parse } = await peekClientHello(socket, head, deps.helloTimeoutMs);

  const record = (mode: 'intercept' | 'tunnel', scenario: import('../session/events.js').Scenario | null, tunnelReason: 'rule' | 'auto' | 'not-tls' | null) =>
    deps.bus.emit({ type: 'connection', time: now(), id: connId, client, target: { host, port }, mode, scenario, tunnelReason });

  if (parse.state === 'need-more' && bytes.length === 0) {
    if (socket.destroyed || socket.readableEnded) return; // opened and closed without a byte
    // The client is silent: a server-speaks-first protocol. Relay it.
    record('tunnel', null, 'not-tls');
    return tunnel(deps.bus, deps.pool, connId, socket, bytes, host, port, deps.limits().tunnelIdleTimeoutMs);
  }
  if (parse.state === 'not-tls') {
    record('tunnel', null, 'not-tls');
    return tunnel(deps.bus, deps.pool, connId, socket, bytes, host, port, deps.limits().tunnelIdleTimeoutMs);
  }
  if (parse.state !== 'ok') {
    record('intercept', null, null);
    deps.bus.emit({ type: 'error', time: now(), id: connId, message: `malformed TLS from ${client.address} for ${host}:${port}: ${parse.state === 'malformed' ? parse.reason : 'incomplete'}` });
    socket.destroy();
    return;
  }
  const sni = parse.hello.sni;
  const certHost = sni ?? host;
  const connectTarget = { host: certHost, port, sni, clientAddress: client.address };
  const reason = deps.bus.tunnelReason(connectTarget);
  if (reason) {
    record('tunnel', null, reason);
    return tunnel(deps.bus, deps.pool, connId, socket, bytes, sni ?? host, port, deps.limits().tunnelIdleTimeoutMs);
  }
  const scenario = deps.bus.hooks.scenario(connectTarget);
  record('intercept', scenario, null);
  await intercept(interceptDeps, socket, bytes, { connId, certHost, port, sni, clientAddress: client.address, scenario, connectAt, fingerprint: parse.hello.fingerprint });
}

function absoluteUrl(raw: string | undefined): URL | null {
  if (!raw || raw.startsWith('/')) return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

function originPath(raw: string | undefined): string {
  if (!raw) return '/';
  if (raw.startsWith('/')) return raw;
  const url = absoluteUrl(raw);
  return url ? url.pathname + url.search : '/';
}

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host.toLowerCase();
}

export function clientAddress(socket: net.Socket): string {
  const a = socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function plainError(res: http.ServerResponse, status: number, message: string): void {
  const body = message + '\n';
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-pinprobe-error': '1' });
  res.end(body);
}

function rejectBadRequest(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
