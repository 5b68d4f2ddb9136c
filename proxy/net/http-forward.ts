// Forwards one HTTP/1.1 request (plain proxy request or one inside an intercepted TLS
// connection) to its backend, streaming both bodies with backpressure. What is recorded
// (the request, the response and — for a fresh upstream connection — how that connection
// ended) is the exchange's (http-exchange.ts); this file moves the bytes and tells it when.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { HeaderList, UpstreamEvent } from '../session/events.js';
import { classifyUpstreamAnswer } from '../observe/cert-complaint.js';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import { upstreamFailureMessage } from './bad-gateway-text.js';
import { HttpExchange, type ConnInfo } from './http-exchange.js';
import { forwardH1ViaH2, type H1ExchangeSink } from './h1-to-h2.js';
import { backendProtocolKey, isAlpnRefusal, type BackendProtocols } from './h2-upstream.js';
import type { LoadedClientCert } from './client-certs.js';
import type { UpstreamPool, UpstreamRoute } from './upstream.js';
import { firstAnswerRecorder } from './upstream-answer.js';

export type { ConnInfo };

export interface ForwardDeps {
  bus: EngineBus;
  pool: UpstreamPool;
  bodyCap: number;
  /** ms to wait for a backend's connection and answer headers; read per request (a setting that can change while running) */
  upstreamTimeoutMs(): number;
  /** What backends chose in ALPN: one that refused http/1.1 (h2-only) gets HTTP/1.1 clients' requests over h2. */
  protocols?: BackendProtocols;
}

const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate',
]);

/** Raw header pairs minus hop-by-hop ones (including those named in Connection). */
export function endToEndHeaders(raw: string[]): HeaderList {
  // Runs twice per request, so most names are passed without lower-casing or a set lookup:
  // every hop-by-hop name starts with c, k, p, t or u (any case).
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      // Names that are hop-by-hop anyway need no entry: `Connection: keep-alive` makes no set.
      for (const t of raw[i + 1].split(',')) {
        const token = t.trim().toLowerCase();
        if (!HOP_BY_HOP.has(token)) (named ??= new Set()).add(token);
      }
    }
  }
  const out: HeaderList = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (mayBeHopByHop(name) && HOP_BY_HOP.has(name.toLowerCase())) continue;
    if (named !== null && named.has(name.toLowerCase())) continue;
    out.push([name, raw[i + 1]]);
  }
  return out;
}

function mayBeHopByHop(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  return c === 0x63 || c === 0x6b || c === 0x70 || c === 0x74 || c === 0x75;
}

export function flatHeaders(list: HeaderList): string[] {
  const flat = new Array<string>(list.length * 2);
  for (let i = 0; i < list.length; i++) {
    flat[2 * i] = list[i][0];
    flat[2 * i + 1] = list[i][1];
  }
  return flat;
}

/**
 * Where a connection's requests go and through which agent: the same for every request on
 * it, so worked out once per connection (and again when a settings change rebuilt the pool).
 */
interface ConnUpstream {
  pool: UpstreamPool;
  route: UpstreamRoute;
  ident: { agent: http.Agent; clientCert: LoadedClientCert | null };
  /** SNI: the name asked for, unless it is an IP address */
  servername: string | undefined;
  /** Verifies the backend against the name the client asked for, even when map-remote sends the connection elsewhere. */
  checkServerIdentity: ((host: string, cert: PeerCertificate) => Error | undefined) | undefined;
  /** The backend-protocol memory's key for this host, port and identity. */
  protocolKey: string;
}

const connUpstreams = new WeakMap<ConnInfo, ConnUpstream>();

function connUpstream(pool: UpstreamPool, conn: ConnInfo): ConnUpstream {
  const known = connUpstreams.get(conn);
  if (known !== undefined && known.pool === pool) return known;
  const route = pool.route(conn.host, conn.port);
  const secure = conn.scheme === 'https';
  const servername = route.servername;
  const u: ConnUpstream = {
    pool,
    route,
    ident: secure ? pool.httpsAgent(conn.host, conn.port) : { agent: pool.httpAgent, clientCert: null },
    servername: secure && !isIp(servername) ? servername : undefined,
    checkServerIdentity: secure ? (_h, cert) => checkServerIdentity(servername, cert) : undefined,
    protocolKey: backendProtocolKey(pool, conn.host, conn.port),
  };
  connUpstreams.set(conn, u);
  return u;
}

/** A request whose head says it has no body (no Content-Length above 0, no Transfer-Encoding): complete once parsed. */
function bodiless(req: http.IncomingMessage): boolean {
  const h = req.headers;
  return h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
}

export function forwardRequest(deps: ForwardDeps, conn: ConnInfo, req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
  const { bus, pool } = deps;
  const timeoutMs = deps.upstreamTimeoutMs();
  const ex = new HttpExchange(bus, conn, { method: req.method ?? 'GET', path, httpVersion: req.httpVersion, headers: endToEndHeaders(req.rawHeaders) }, deps.bodyCap);
  const up = connUpstream(pool, conn);
  const { route, ident } = up;
  ex.upstreamMappedTo = route.mappedTo;
  const secure = conn.scheme === 'https';
  // No body to stream: the request is sent with end() at once, and no listener or pipe is
  // set up on the client's request stream (Node dumps it when the answer is done).
  const noBody = bodiless(req);
  // Features may read the request and edit its headers before it goes on (engine-bus.ts).
  bus.runRequestHooks(ex);

  const options: https.RequestOptions = {
    host: route.connectHost,
    port: route.connectPort,
    servername: up.servername,
    method: req.method,
    path,
    headers: upstreamHeaders(req, ex.request.headers) as unknown as http.OutgoingHttpHeaders,
    agent: ident.agent,
    timeout: timeoutMs,
  };
  if (secure) options.checkServerIdentity = up.checkServerIdentity;

  let current: http.ClientRequest | null = null;
  /** Set once the answer is being relayed: the response line is recorded when it finishes or closes. */
  let onResponseDone: (() => void) | null = null;
  // One 'close' listener for the client's answer. 'close' before 'finish': the client's
  // connection went away first — a late pin check (SPEC "No refusal lost"; the judge flags
  // hosts where every trusted connection ended so); the backend request is dropped.
  res.once('close', () => {
    if (!res.writableFinished) {
      ex.clientClosedEarly = true;
      current?.destroy();
    }
    onResponseDone?.();
  });
  // An h2-only backend (it refused ALPN http/1.1): the request goes over h2 (h1-to-h2.ts).
  const viaH2 = (replayBody: Buffer | null): void => {
    const sink: H1ExchangeSink = {
      requestBody: ex.requestBody,
      responseBody: ex.responseBody,
      responseStarted: (head) => ex.responseStarted(head),
      setResponseTrailers: (trailers) => {
        if (ex.response) ex.response.trailers = trailers;
      },
      recordUpstream: (fields, at) => ex.recordUpstream(fields, at),
      fail: (message) => answer502(message),
    };
    const done = () => ex.responseEnded();
    res.once('finish', done);
    onResponseDone = done;
    forwardH1ViaH2({
      pool, host: conn.host, port: conn.port, clientAddress: conn.clientAddress, timeoutMs,
      method: req.method ?? 'GET', path, headers: ex.request.headers, replayBody,
    }, req, res, sink);
  };
  const send = (retry: boolean): void => {
    if (secure && deps.protocols?.getKey(up.protocolKey) === 'h2-only') return viaH2(null);
    // This computer's loopback by address, for a device on the network: refused before the
    // agent would start the TCP connect (guard refuses names on their lookup).
    const local = pool.refusalBeforeConnect(route, conn.clientAddress);
    if (local) {
      const classification = classifyUpstreamFailure(local, { handshakeDone: false, connected: false });
      if (secure) ex.recordUpstream({ ...classification, httpStatus: null, certComplaint: false }, { tlsVersion: null, clientCert: ident.clientCert });
      return answer502(upstreamFailureMessage(`${conn.host}:${conn.port}`, classification, { clientCert: ident.clientCert !== null }));
    }
    const upReq = (secure ? https : http).request(options);
    current = upReq;
    let handshakeDone = !secure;
    // A backend behind a firewall that drops the SYN times out before TCP connects: "could
    // not connect", not a stalled TLS handshake.
    let connected = false;
    let fresh = true;
    let tlsVersion: string | null = null;
    // Only a fresh TLS connection gets an upstream line (a reused one was recorded when opened).
    const recordUpstream = (fields: Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>) => {
      if (fresh && secure) ex.recordUpstream(fields, { tlsVersion, clientCert: ident.clientCert });
    };

    upReq.on('socket', (s: Socket) => {
      fresh = !upReq.reusedSocket;
      // Reused sockets too: one a loopback client opened must not carry a device's request.
      pool.guard(s, { clientAddress: conn.clientAddress, mapped: route.mapped });
      if (!fresh) {
        connected = handshakeDone = true;
        return;
      }
      s.once('connect', () => (connected = true));
      if (!secure) return;
      s.once('secureConnect', () => {
        handshakeDone = true;
        tlsVersion = (s as TLSSocket).getProtocol?.() ?? null;
      });
    });
    upReq.on('timeout', () => upReq.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));

    if (retry || noBody) upReq.end();
    else {
      // Chunked trailers are end-to-end: hand them on before the forwarded body ends.
      req.once('end', () => (ex.request.trailers = passTrailers(req, upReq)));
      // `pipe` plus explicit error handling, and the capture as a passive observer: far
      // cheaper per request than `stream.pipeline` through a Transform (profiled).
      req.on('data', (chunk: Buffer) => ex.requestBody.add(chunk));
      req.pipe(upReq);
      req.once('error', (err) => {
        if (!res.headersSent && !upReq.destroyed) upReq.destroy(err);
      });
    }
    // An answer the proxy cannot relay (a status below 100, a control character in the
    // reason phrase, a 101 nobody asked for): the client gets a 502 naming it, the session
    // records it, and the backend connection is dropped rather than reused.
    let refused = false;
    const refuseAnswer = (problem: string, status: number | null, upRes: http.IncomingMessage | null) => {
      if (refused || res.headersSent) return;
      refused = true;
      upRes?.resume();
      if (status !== null) recordUpstream({ ...classifyUpstreamAnswer(status, '', ''), certComplaint: false, complaint: null });
      upReq.destroy();
      answer502(`Pinprobe: ${conn.host}:${conn.port} sent an answer that cannot be relayed (${problem})`);
    };
    upReq.on('upgrade', (upRes: http.IncomingMessage, socket: Socket) => {
      socket.destroy();
      refuseAnswer(`switched protocols with status ${upRes.statusCode ?? 101} to a request that asked for no upgrade`, upRes.statusCode ?? 101, upRes);
    });
    upReq.on('response', (upRes) => {
      // The timeout bounds the wait for the answer's headers; a streaming body (server-sent
      // events, long-poll chunks) may pause longer without being cut.
      upReq.setTimeout(0);
      const status = upRes.statusCode ?? 502;
      const problem = unrelayable(status, upRes.statusMessage ?? '');
      if (problem) return refuseAnswer(problem, status, upRes);
      const resHeaders = endToEndHeaders(upRes.rawHeaders);
      const answer = firstAnswerRecorder({ status, statusText: upRes.statusMessage ?? '', contentEncoding: upRes.headers['content-encoding'] }, ex.responseBody, recordUpstream);
      // A refusal's evidence is in the body (nginx's "No required SSL certificate was sent").
      // A stated length sizes the capture once (a large body is not grown through copies).
      ex.responseBody.expect(Number(upRes.headers['content-length']));
      upRes.on('data', (chunk: Buffer) => ex.responseBody.add(chunk));
      if (answer.waitsForBody) upRes.on('data', answer.onData);
      try {
        res.writeHead(status, upRes.statusMessage, flatHeaders(resHeaders));
      } catch (err) {
        // Whatever else Node refuses to write must not throw out of the handler.
        return refuseAnswer((err as Error).message, status, upRes);
      }
      ex.responseStarted({ status, statusText: upRes.statusMessage ?? '', httpVersion: upRes.httpVersion, headers: resHeaders });
      upRes.once('end', () => {
        if (ex.response) ex.response.trailers = passTrailers(upRes, res);
      });
      upRes.pipe(res);
      // What `pipeline` did for us: a backend that fails mid-body fails the client's answer too.
      upRes.once('error', () => res.destroy());
      upRes.once('close', () => {
        if (!upRes.complete) res.destroy();
      });
      const onDone = () => {
        answer.decide();
        ex.responseEnded();
      };
      res.once('finish', onDone);
      onResponseDone = onDone;
    });

    upReq.on('error', (err) => {
      if (refused) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A pooled connection the backend closed while idle fails on reuse; a body-less,
      // idempotent request is sent once more on a fresh connection (as browsers do).
      if (!retry && !fresh && isRetryable(req, ex.requestBody.size, err)) return send(true);
      // The backend speaks h2 only (it refused ALPN http/1.1: not a certificate matter, not
      // recorded as an upstream refusal). A body already read in whole is sent again over h2.
      if (secure && fresh && !retry && deps.protocols && isAlpnRefusal(err)) {
        deps.protocols.set(pool, conn.host, conn.port, 'h2-only');
        req.unpipe(upReq);
        if (ex.requestBody.size === 0 && !req.complete) return viaH2(null);
        if (req.complete && ex.requestBody.size <= deps.bodyCap) return viaH2(ex.requestBody.head(ex.requestBody.size));
        return answer502(`Pinprobe: ${conn.host}:${conn.port} speaks only HTTP/2 and this request's body could not be sent again; send it once more (Pinprobe now uses HTTP/2 for this host)`);
      }
      const classification = classifyUpstreamFailure(err, { handshakeDone: handshakeDone && connected, connected, reused: !fresh });
      // A plain http:// backend has no TLS handshake: a reset there is before the answer, not
      // "right after the TLS handshake" (whose text suggests --client-cert).
      if (!secure && classification.outcome === 'reset') classification.stage = 'http';
      recordUpstream({ ...classification, httpStatus: null, certComplaint: false });
      answer502(upstreamFailureMessage(`${conn.host}:${conn.port}`, classification, { clientCert: ident.clientCert !== null }));
    });
  };
  const answer502 = (message: string): void => {
    const body = Buffer.from(message + '\n');
    res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, 'x-pinprobe-error': '1' });
    res.end(body);
    ex.answeredBy(502, 'Bad Gateway', message + '\n');
  };
  send(false);

  // The request line is written once the client's body has ended (or its stream closed).
  if (req.complete || noBody) ex.requestEnded();
  else {
    req.once('end', () => ex.requestEnded());
    req.once('close', () => ex.requestEnded());
  }
}

/** Why Node's writer would refuse this status line, or null when it can be relayed. */
export function unrelayable(status: number, reason: string): string | null {
  if (!Number.isInteger(status) || status < 100 || status > 999) return `status ${String(status).padStart(3, '0')}`;
  // Node's header-value rule: tab and visible bytes, no other control characters.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(reason)) return `control character in the reason phrase`;
  return null;
}

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function isRetryable(req: http.IncomingMessage, bodySize: number, err: NodeJS.ErrnoException): boolean {
  return RETRYABLE_METHODS.has(req.method ?? '') && req.complete && bodySize === 0 &&
    (err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/.test(err.message));
}

/** Hands a message's end-to-end trailers on; returns them (null when there were none). */
function passTrailers(from: http.IncomingMessage, to: http.OutgoingMessage): HeaderList | null {
  if (from.rawTrailers.length === 0) return null;
  const trailers = endToEndHeaders(from.rawTrailers);
  try {
    to.addTrailers(trailers);
  } catch {
    // A trailer Node will not write is dropped rather than failing the message.
  }
  return trailers;
}

/**
 * The end-to-end headers, plus `Transfer-Encoding: chunked` when the client's body is
 * chunked: Node frames a body without Content-Length only for methods that usually carry
 * one, and would send a GET/DELETE/OPTIONS body raw — read by the backend as a second
 * (smuggled) request on the same connection.
 */
function upstreamHeaders(req: http.IncomingMessage, headers: HeaderList): string[] {
  const flat = flatHeaders(headers);
  if (req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined) flat.push('Transfer-Encoding', 'chunked');
  return flat;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

