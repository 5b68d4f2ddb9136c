// WebSocket upgrades: the upgrade goes to the backend first, the client then gets the
// backend's real status and headers (subprotocol included), and bytes flow both ways.
// The upgrade is recorded as a request and its answer (status 101 or the refusal), and the
// messages each way as `ws-message` lines (ws-recorder.ts), parsed from copies of the bytes.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { endToEndHeaders, flatHeaders } from './http-forward.js';
import type { ConnInfo } from './http-exchange.js';
import { authority, hostPort } from './authority.js';
import { relay } from './relay.js';
import type { UpstreamPool } from './upstream.js';
import { checkServerIdentity } from 'node:tls';
import type { HeaderList, UpstreamEvent, WebSocketEvent } from '../session/events.js';
import { BodyCapture, emptyBody } from './body-capture.js';
import { WsRecorder } from './ws-recorder.js';
import { noteRelayed } from './relay-garbage.js';
import { classifyUpstreamAnswer } from '../observe/cert-complaint.js';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import { firstAnswerRecorder } from './upstream-answer.js';
import type { TLSSocket } from 'node:tls';

function headBlock(status: number, text: string, raw: string[]): string {
  let out = `HTTP/1.1 ${status} ${text}\r\n`;
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}

function pairs(raw: string[]): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export interface UpgradeDeps {
  bus: EngineBus;
  pool: UpstreamPool;
  /** Per-message cap for recorded payloads (the body cap). */
  bodyCap: number;
  /** How long the backend may take to accept the connection and answer the upgrade (--upstream-timeout), read per upgrade. */
  upstreamTimeoutMs(): number;
}

export function forwardUpgrade(deps: UpgradeDeps, conn: ConnInfo, req: http.IncomingMessage, client: Duplex, head: Buffer, path: string): void {
  const { bus, pool } = deps;
  const timeoutMs = deps.upstreamTimeoutMs();
  const started = performance.now();
  const secure = conn.scheme === 'https';
  const route = pool.route(conn.host, conn.port);
  const headers = endToEndHeaders(req.rawHeaders);
  headers.push(['Connection', 'Upgrade'], ['Upgrade', req.headers.upgrade ?? 'websocket']);
  // With the port always (docs/formats.md).
  const url = `${secure ? 'wss' : 'ws'}://${hostPort(conn.host, conn.port)}${path}`;
  const id = bus.nextId('w');
  // The upgrade is an HTTP request like any other (Traffic lists it, messages hang under it).
  const requestId = bus.nextId('r');
  bus.emit({
    type: 'request', time: now(), id: requestId, conn: conn.id, scheme: conn.scheme, method: req.method ?? 'GET',
    url: `${conn.scheme}://${authority(conn.host, conn.port, conn.scheme)}${path}`, host: conn.host, port: conn.port, httpVersion: req.httpVersion,
    headers: pairs(req.rawHeaders), body: emptyBody(), clientAddress: conn.clientAddress,
  });
  const answered = (status: number, statusText: string, httpVersion: string, raw: string[], body = emptyBody(), synthetic = false) => {
    const waitMs = Math.round(performance.now() - started);
    bus.emit({
      type: 'response', time: now(), id: requestId, status, statusText, httpVersion, headers: pairs(raw), body,
      ...(synthetic ? { synthetic: true } : {}), timings: { sendMs: 0, waitMs, receiveMs: 0 },
    });
  };
  // A wss:// upgrade opens its own backend connection (never pooled): its outcome is an
  // upstream line like any fresh HTTPS connection's, so a backend reached only by WebSocket
  // gets an mTLS verdict too (and the prober's attempt without a certificate).
  const clientCert = secure ? pool.clientCertFor(conn.host, conn.port) : null;
  let handshakeDone = false;
  let connected = false;
  let tlsVersion: string | null = null;
  let upstreamRecorded = !secure;
  const recordUpstream = (fields: Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>): void => {
    if (upstreamRecorded) return;
    upstreamRecorded = true;
    bus.emit({
      type: 'upstream', time: now(), id: bus.nextId('u'), request: requestId, host: conn.host, port: conn.port, probe: false,
      clientCert: clientCert ? { subject: clientCert.subject } : null, tlsVersion, ...fields,
      ...(route.mappedTo !== null ? { mappedTo: route.mappedTo } : {}),
    });
  };
  const record = (status: number, phase: 'open' | 'refused' | 'closed', fromClient = 0, toClient = 0, messages?: WebSocketEvent['messages']) =>
    bus.emit({ type: 'websocket', time: now(), id, conn: conn.id, url, status, phase, bytesFromClient: fromClient, bytesToClient: toClient, request: requestId, ...(messages ? { messages } : {}) });
  const failUpgrade = (err: Error): void => {
    recordUpstream({ ...classifyUpstreamFailure(err, { handshakeDone, connected }), httpStatus: null, certComplaint: false });
    const body = `Pinprobe: WebSocket upgrade to ${conn.host}:${conn.port} failed: ${err.message}\n`;
    const raw = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close'];
    client.end(headBlock(502, 'Bad Gateway', raw) + body);
    record(502, 'refused');
    answered(502, 'Bad Gateway', '1.1', raw.slice(0, 2), { size: Buffer.byteLength(body), encoding: 'utf8', data: body, truncated: false }, true);
  };
  // As in http-forward: this computer's loopback by address is refused before the agent connects.
  const local = pool.refusalBeforeConnect(route, conn.clientAddress);
  if (local) return failUpgrade(local);
  const upReq = (secure ? https : http).request({
    host: route.connectHost,
    port: route.connectPort,
    servername: secure ? route.servername : undefined,
    checkServerIdentity: secure ? (_h: string, cert: import('node:tls').PeerCertificate) => checkServerIdentity(route.servername, cert) : undefined,
    method: req.method,
    path,
    headers: flatHeaders(headers) as unknown as http.OutgoingHttpHeaders,
    // Upgraded sockets leave the pool; a private agent keeps them off the keep-alive one.
    agent: false,
    // As an option (not setTimeout) so it also bounds a connect that never completes:
    // ClientRequest.setTimeout arms only once the socket has connected.
    timeout: timeoutMs,
    ...(secure ? pool.connectOptions(conn.host, conn.port) : {}),
  });
  upReq.on('socket', (s) => {
    pool.guard(s, { clientAddress: conn.clientAddress, mapped: route.mapped });
    s.once('connect', () => (connected = true));
    s.once('secureConnect', () => {
      handshakeDone = true;
      tlsVersion = (s as TLSSocket).getProtocol?.() ?? null;
    });
  });

  // Until the backend answers the upgrade (a relayed WebSocket may then be quiet for hours).
  upReq.on('timeout', () => upReq.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  upReq.on('upgrade', (upRes, upSocket, upHead) => {
    // The upgraded socket keeps no idle timer of ours (Node drops only the request's listener).
    upReq.setTimeout(0);
    recordUpstream(classifyUpstreamAnswer(upRes.statusCode ?? 101, upRes.statusMessage ?? '', ''));
    client.write(headBlock(101, upRes.statusMessage || 'Switching Protocols', upRes.rawHeaders));
    if (upHead.length) client.write(upHead);
    if (head.length) upSocket.write(head);
    answered(upRes.statusCode ?? 101, upRes.statusMessage ?? '', upRes.httpVersion, upRes.rawHeaders);
    record(101, 'open');
    const extensions = upRes.headers['sec-websocket-extensions'];
    const recorder = new WsRecorder({ bus, ws: id, request: requestId, cap: deps.bodyCap, deflate: /permessage-deflate/i.test(String(extensions ?? '')) });
    if (head.length) recorder.fromClient(head);
    if (upHead.length) recorder.fromServer(upHead);
    let fromClient = head.length;
    let toClient = upHead.length;
    // Copies of the relayed chunks: counting and parsing never touch the bytes relayed.
    client.on('data', (c: Buffer) => {
      fromClient += c.length;
      noteRelayed(c.length);
      recorder.fromClient(c);
    });
    upSocket.on('data', (c: Buffer) => {
      toClient += c.length;
      noteRelayed(c.length);
      recorder.fromServer(c);
    });
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      // Messages still being inflated get their lines before the close line.
      void recorder.settle().then(() => record(101, 'closed', fromClient, toClient, { ...recorder.counts }));
    };
    // relay(), not two pipelines: those put 8 close listeners on the upgraded socket, past
    // Node's limit with the HTTP server's own (MaxListenersExceededWarning on every wss://).
    relay(client, upSocket);
    client.once('close', () => { upSocket.destroy(); end(); });
    upSocket.once('close', () => { client.destroy(); end(); });
  });
  upReq.on('response', (upRes) => {
    upReq.setTimeout(0);
    // Refused upgrade: relay the backend's ordinary answer as it is.
    const raw = flatHeaders(endToEndHeaders(upRes.rawHeaders));
    raw.push('Connection', 'close');
    client.write(headBlock(upRes.statusCode ?? 502, upRes.statusMessage ?? '', raw));
    record(upRes.statusCode ?? 502, 'refused');
    const capture = new BodyCapture(deps.bodyCap);
    // A refusal's evidence may be in its body (nginx's "No required SSL certificate was sent").
    const answer = firstAnswerRecorder({ status: upRes.statusCode ?? 502, statusText: upRes.statusMessage ?? '', contentEncoding: upRes.headers['content-encoding'] }, capture, recordUpstream);
    upRes.on('data', (c: Buffer) => {
      capture.add(c);
      answer.onData();
    });
    pipeline(upRes, client, () => {
      answer.decide();
      client.destroy();
      answered(upRes.statusCode ?? 502, upRes.statusMessage ?? '', upRes.httpVersion, upRes.rawHeaders, capture.record());
    });
  });
  upReq.on('error', failUpgrade);
  client.on('error', () => upReq.destroy());
  upReq.end();
}
