// WebSocket upgrades: the upgrade goes to the backend first, the client then gets the
// backend's real status and headers (subprotocol included), and bytes flow both ways.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { endToEndHeaders, flatHeaders } from './http-forward.js';
import type { ConnInfo } from './http-exchange.js';
import type { UpstreamPool } from './upstream.js';
import { checkServerIdentity } from 'node:tls';

function headBlock(status: number, text: string, raw: string[]): string {
  let out = `HTTP/1.1 ${status} ${text}\r\n`;
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}

export function forwardUpgrade(bus: EngineBus, pool: UpstreamPool, conn: ConnInfo, req: http.IncomingMessage, client: Duplex, head: Buffer, path: string): void {
  const secure = conn.scheme === 'https';
  const route = pool.route(conn.host, conn.port);
  const headers = endToEndHeaders(req.rawHeaders);
  headers.push(['Connection', 'Upgrade'], ['Upgrade', req.headers.upgrade ?? 'websocket']);
  const url = `${secure ? 'wss' : 'ws'}://${conn.host}:${conn.port}${path}`;
  const id = bus.nextId('w');
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
    ...(secure ? pool.connectOptions(conn.host, conn.port) : {}),
  });
  upReq.on('socket', (s) => pool.guard(s, { clientAddress: conn.clientAddress, mapped: route.mapped }));
  const record = (status: number, phase: 'open' | 'refused' | 'closed', fromClient = 0, toClient = 0) =>
    bus.emit({ type: 'websocket', time: now(), id, conn: conn.id, url, status, phase, bytesFromClient: fromClient, bytesToClient: toClient });

  upReq.on('upgrade', (upRes, upSocket, upHead) => {
    client.write(headBlock(101, upRes.statusMessage || 'Switching Protocols', upRes.rawHeaders));
    if (upHead.length) client.write(upHead);
    if (head.length) upSocket.write(head);
    record(101, 'open');
    let fromClient = head.length;
    let toClient = upHead.length;
    client.on('data', (c: Buffer) => (fromClient += c.length));
    upSocket.on('data', (c: Buffer) => (toClient += c.length));
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      record(101, 'closed', fromClient, toClient);
    };
    pipeline(client, upSocket, () => { upSocket.destroy(); end(); });
    pipeline(upSocket, client, () => { client.destroy(); end(); });
  });
  upReq.on('response', (upRes) => {
    // Refused upgrade: relay the backend's ordinary answer as it is.
    const raw = flatHeaders(endToEndHeaders(upRes.rawHeaders));
    raw.push('Connection', 'close');
    client.write(headBlock(upRes.statusCode ?? 502, upRes.statusMessage ?? '', raw));
    record(upRes.statusCode ?? 502, 'refused');
    pipeline(upRes, client, () => client.destroy());
  });
  upReq.on('error', (err) => {
    const body = `Pinprobe: WebSocket upgrade to ${conn.host}:${conn.port} failed: ${err.message}\n`;
    client.end(headBlock(502, 'Bad Gateway', ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close']) + body);
    record(502, 'refused');
  });
  client.on('error', () => upReq.destroy());
  upReq.end();
}
