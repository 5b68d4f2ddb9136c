// The upstream timeout bounds the wait for the backend to answer a WebSocket upgrade, never
// the relayed connection after it: a live feed may be quiet for longer than the timeout and
// must still carry the next message, over ws:// (a plain proxy request) and wss:// (inside
// an intercepted TLS connection). Real `ws` clients and servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { WebSocket, WebSocketServer } from 'ws';
import { testPki } from '../../helpers/pki.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { tlsThroughProxy } from '../../helpers/h2.js';

const TIMEOUT_MS = 400;
const pki = testPki();
let plain: http.Server;
let secure: https.Server;
let proxy: TestEngine;

/** Answers "tick" three times the timeout after the client's message. */
function slowEcho(server: http.Server | https.Server): void {
  new WebSocketServer({ server }).on('connection', (ws) =>
    ws.on('message', () => { setTimeout(() => ws.send('tick'), TIMEOUT_MS * 3); }));
}
const portOf = (s: net.Server) => (s.address() as AddressInfo).port;

/** The message the client got after a quiet spell, or how the socket ended. */
function quietThenMessage(ws: WebSocket): Promise<string> {
  return new Promise((ok) => {
    ws.once('open', () => ws.send('go'));
    ws.once('message', (m) => { ok(String(m)); ws.close(); });
    ws.once('close', (code) => ok(`closed ${code}`));
    ws.once('error', (err) => ok(`error ${err.message}`));
  });
}

beforeAll(async () => {
  plain = http.createServer();
  secure = https.createServer({ cert: pki.serverCert, key: pki.serverKey });
  slowEcho(plain);
  slowEcho(secure);
  await Promise.all([plain, secure].map((s) => new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok))));
  proxy = await startEngine({ scenario: 'trusted', upstreamTimeout: TIMEOUT_MS / 1000 });
});
afterAll(async () => {
  await proxy?.close();
  for (const s of [plain, secure]) { s.closeAllConnections(); s.close(); }
});

describe('a WebSocket quiet for longer than the upstream timeout', () => {
  it('ws:// through the proxy still carries the next message', async () => {
    const target = `127.0.0.1:${portOf(plain)}`;
    const agent = new (class extends http.Agent {
      override createConnection(): net.Socket { return net.connect(proxy.port, '127.0.0.1'); }
    })();
    const add = (agent as unknown as { addRequest(r: { path: string }, o: unknown): void }).addRequest.bind(agent);
    (agent as unknown as { addRequest(r: { path: string }, o: unknown): void }).addRequest = (r, o) => { r.path = `http://${target}${r.path}`; add(r, o); };
    const ws = new WebSocket(`ws://${target}/feed`, { agent });
    expect(await quietThenMessage(ws)).toBe('tick');
  }, 10_000);

  it('wss:// inside an intercepted connection still carries the next message', async () => {
    const socket = await tlsThroughProxy(proxy.port, `localhost:${portOf(secure)}`, readFileSync(proxy.caPath, 'utf8'), ['http/1.1']);
    const ws = new WebSocket(`wss://localhost:${portOf(secure)}/feed`, { createConnection: () => socket });
    expect(await quietThenMessage(ws)).toBe('tick');
  }, 10_000);
});
