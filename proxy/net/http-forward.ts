// Forwards one HTTP/1.1 request (plain proxy request or one inside an intercepted TLS
// connection) to its backend, streaming both bodies with backpressure and recording the
// request, the response and — for a fresh upstream connection — how that connection ended.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { HeaderList, UpstreamEvent } from '../session/events.js';
import { bodyHeadText, classifyUpstreamAnswer, complaintNeedsBody } from '../observe/cert-complaint.js';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import { upstreamFailureMessage } from './bad-gateway-text.js';
import { BodyCapture } from './body-capture.js';
import type { UpstreamPool } from './upstream.js';

export interface ConnInfo {
  id: string;
  scheme: 'http' | 'https';
  /** host the client asked for (SNI / CONNECT target / absolute URL / Host) */
  host: string;
  port: number;
  clientAddress: string;
}

export interface ForwardDeps {
  bus: EngineBus;
  pool: UpstreamPool;
  bodyCap: number;
  /** ms to wait for a backend's connection and answer headers */
  upstreamTimeoutMs: number;
}

const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate',
]);

/** Raw header pairs minus hop-by-hop ones (including those named in Connection). */
export function endToEndHeaders(raw: string[]): HeaderList {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'connection') for (const t of raw[i + 1].split(',')) named.add(t.trim().toLowerCase());
  }
  const out: HeaderList = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named.has(name)) out.push([raw[i], raw[i + 1]]);
  }
  return out;
}

export function flatHeaders(list: HeaderList): string[] {
  return list.flatMap(([k, v]) => [k, v]);
}

export function forwardRequest(deps: ForwardDeps, conn: ConnInfo, req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
  const { bus, pool } = deps;
  const started = performance.now();
  const requestId = bus.nextId('r');
  const route = pool.route(conn.host, conn.port);
  const headers = endToEndHeaders(req.rawHeaders);
  const secure = conn.scheme === 'https';
  const ident = secure ? pool.httpsAgent(conn.host, conn.port) : { agent: pool.httpAgent, clientCert: null };
  const url = `${conn.scheme}://${authority(conn)}${path}`;

  const reqCapture = new BodyCapture(deps.bodyCap);
  const resCapture = new BodyCapture(deps.bodyCap);
  let requestRecorded: Promise<void> | null = null;
  const recordRequest = () => {
    requestRecorded ??= new Promise<void>((resolve) => {
      let written = false;
      const write = () => {
        if (written) return;
        written = true;
        bus.emit({
          type: 'request', time: now(), id: requestId, conn: conn.id, scheme: conn.scheme, method: req.method ?? 'GET',
          url, host: conn.host, port: conn.port, httpVersion: req.httpVersion, headers, body: reqCapture.record(),
          clientAddress: conn.clientAddress,
        });
        resolve();
      };
      if (req.complete) write();
      else {
        req.once('end', write);
        req.once('close', write);
      }
    });
    return requestRecorded;
  };

  const options: https.RequestOptions = {
    host: route.connectHost,
    port: route.connectPort,
    servername: secure && !isIp(route.servername) ? route.servername : undefined,
    method: req.method,
    path,
    headers: upstreamHeaders(req, headers) as unknown as http.OutgoingHttpHeaders,
    agent: ident.agent,
    timeout: deps.upstreamTimeoutMs,
  };
  // Verify the backend against the name the client asked for, even when map-remote sends
  // the connection elsewhere.
  if (secure) options.checkServerIdentity = (_h, cert) => tlsCheck(route.servername, cert);

  // The client dropped the connection before the answer reached it (a late pin check, SPEC
  // "No refusal lost"): the judge flags hosts where every trusted connection ended so.
  // 'close' before 'finish' on the response: the client's connection went away first.
  let clientLeft = false;
  res.once('close', () => {
    if (!res.writableFinished) clientLeft = true;
  });
  const clientGone = (): { clientClosedEarly?: true } => (clientLeft ? { clientClosedEarly: true } : {});
  let upstreamRecorded = false;
  let current: http.ClientRequest | null = null;
  const send = (retry: boolean): void => {
    const upReq = (secure ? https : http).request(options);
    current = upReq;
    let handshakeDone = !secure;
    let fresh = true;
    let tlsVersion: string | null = null;
    const recordUpstream = (fields: Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>) => {
      if (upstreamRecorded || !fresh || !secure) return;
      upstreamRecorded = true;
      bus.emit({
        type: 'upstream', time: now(), id: bus.nextId('u'), request: requestId, host: conn.host, port: conn.port, probe: false,
        clientCert: ident.clientCert ? { subject: ident.clientCert.subject } : null, tlsVersion, ...fields,
      });
    };

    upReq.on('socket', (s: Socket) => {
      fresh = !upReq.reusedSocket;
      if (fresh) pool.guard(s, { clientAddress: conn.clientAddress, mapped: route.mapped });
      if (!secure || !fresh) {
        handshakeDone = true;
        return;
      }
      s.once('secureConnect', () => {
        handshakeDone = true;
        tlsVersion = (s as TLSSocket).getProtocol?.() ?? null;
      });
    });
    upReq.on('timeout', () => upReq.destroy(Object.assign(new Error(`no answer within ${deps.upstreamTimeoutMs} ms`), { code: 'ETIMEDOUT' })));

    if (retry) upReq.end();
    else {
      // Chunked trailers are end-to-end: hand them on before the forwarded body ends.
      req.once('end', () => passTrailers(req, upReq));
      // `pipe` plus explicit error handling, and the capture as a passive observer: far
      // cheaper per request than `stream.pipeline` through a Transform (profiled).
      req.on('data', (chunk: Buffer) => reqCapture.add(chunk));
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
      const waitMs = performance.now() - started;
      let decided = false;
      const decide = () => {
        if (decided) return;
        decided = true;
        const body = complaintNeedsBody(status) ? bodyHeadText(resCapture.head(4096), upRes.headers['content-encoding']) : '';
        recordUpstream(classifyUpstreamAnswer(status, upRes.statusMessage ?? '', body));
      };
      // A refusal's evidence is in the body (nginx's "No required SSL certificate was sent").
      upRes.on('data', (chunk: Buffer) => resCapture.add(chunk));
      if (complaintNeedsBody(status)) upRes.on('data', () => resCapture.head(4096).length >= 4096 && decide());
      else decide();
      try {
        res.writeHead(status, upRes.statusMessage, flatHeaders(resHeaders));
      } catch (err) {
        // Whatever else Node refuses to write must not throw out of the handler.
        return refuseAnswer((err as Error).message, status, upRes);
      }
      upRes.once('end', () => passTrailers(upRes, res));
      upRes.pipe(res);
      // What `pipeline` did for us: a backend that fails mid-body fails the client's answer too.
      upRes.once('error', () => res.destroy());
      upRes.once('close', () => {
        if (!upRes.complete) res.destroy();
      });
      let finished = false;
      const onDone = () => {
        if (finished) return;
        finished = true;
        decide();
        void recordRequest().then(() =>
          bus.emit({
            type: 'response', time: now(), id: requestId, status, statusText: upRes.statusMessage ?? '', httpVersion: upRes.httpVersion,
            headers: resHeaders, body: resCapture.record(), ...clientGone(),
            timings: { sendMs: 0, waitMs: Math.round(waitMs), receiveMs: Math.round(performance.now() - started - waitMs) },
          }),
        );
      };
      res.once('finish', onDone);
      res.once('close', onDone);
    });

    upReq.on('error', (err) => {
      if (refused) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A pooled connection the backend closed while idle fails on reuse; a body-less,
      // idempotent request is sent once more on a fresh connection (as browsers do).
      if (!retry && !fresh && isRetryable(req, reqCapture, err)) return send(true);
      const classification = classifyUpstreamFailure(err, { handshakeDone, reused: !fresh });
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
    void recordRequest().then(() =>
      bus.emit({
        type: 'response', time: now(), id: requestId, status: 502, statusText: 'Bad Gateway', httpVersion: '1.1',
        headers: [['content-type', 'text/plain; charset=utf-8']], body: { size: body.length, encoding: 'utf8', data: message + '\n', truncated: false },
        synthetic: true, ...clientGone(), timings: { sendMs: 0, waitMs: Math.round(performance.now() - started), receiveMs: 0 },
      }),
    );
  };
  send(false);

  res.on('close', () => {
    if (!res.writableFinished) current?.destroy();
  });
  void recordRequest();
}

/** Why Node's writer would refuse this status line, or null when it can be relayed. */
export function unrelayable(status: number, reason: string): string | null {
  if (!Number.isInteger(status) || status < 100 || status > 999) return `status ${String(status).padStart(3, '0')}`;
  // Node's header-value rule: tab and visible bytes, no other control characters.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(reason)) return `control character in the reason phrase`;
  return null;
}

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function isRetryable(req: http.IncomingMessage, body: BodyCapture, err: NodeJS.ErrnoException): boolean {
  return RETRYABLE_METHODS.has(req.method ?? '') && req.complete && body.size === 0 &&
    (err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/.test(err.message));
}

function passTrailers(from: http.IncomingMessage, to: http.OutgoingMessage): void {
  if (from.rawTrailers.length === 0) return;
  try {
    to.addTrailers(endToEndHeaders(from.rawTrailers));
  } catch {
    // A trailer Node will not write is dropped rather than failing the message.
  }
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

function authority(conn: ConnInfo): string {
  const host = conn.host.includes(':') ? `[${conn.host}]` : conn.host;
  const dflt = conn.scheme === 'https' ? 443 : 80;
  return conn.port === dflt ? host : `${host}:${conn.port}`;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function tlsCheck(servername: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(servername, cert);
}
