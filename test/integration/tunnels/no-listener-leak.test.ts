// A relayed tunnel adds no more than a few listeners to the client's socket: with
// stream.pipeline in both directions, plus the HTTP server's own listeners on a CONNECT
// socket, Node printed "MaxListenersExceededWarning: 11 close listeners added to [Socket]"
// for every tunnel (tunnels-half-close, engine-curl), and "… to [TLSSocket]" for every
// intercepted WebSocket (net/websocket.ts). The warning is caught in-process.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';
import { testPki } from '../../helpers/pki.js';
import { tlsThroughProxy } from '../../helpers/h2.js';

const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

/** CONNECT, send `ping` with a FIN, read the answer to the end. */
function tunnelOnce(proxyPort: number, target: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: proxyPort, host: '127.0.0.1', allowHalfOpen: true });
    let buf = '';
    let established = false;
    const timer = setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(buf)}`)), 5000);
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!established && buf.includes('\r\n\r\n')) {
        established = true;
        buf = '';
        s.end('ping');
      }
    });
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
    s.write(`CONNECT 127.0.0.1:${target} HTTP/1.1\r\nHost: 127.0.0.1:${target}\r\n\r\n`);
  });
}

const maxListenerWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message);

describe('relayed tunnels and socket listeners', () => {
  let backend: net.Server;
  let port: number;
  let proxy: TestEngine;
  let wsServer: https.Server;
  let wss: WebSocketServer;
  beforeAll(async () => {
    const pki = testPki();
    wsServer = https.createServer({ cert: pki.serverCert, key: pki.serverKey });
    wss = new WebSocketServer({ server: wsServer });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo: ${d.toString()}`)));
    await new Promise<void>((ok) => wsServer.listen(0, '127.0.0.1', ok));
    process.on('warning', onWarning);
    backend = net.createServer({ allowHalfOpen: true }, (c) => {
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      c.on('end', () => c.end(`got ${Buffer.concat(got).toString()}`));
      c.on('error', () => undefined);
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'ws.app.test', to: `127.0.0.1:${(wsServer.address() as AddressInfo).port}` }] });
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await proxy?.close();
    backend?.close();
    wss?.close();
    wsServer?.close();
  });

  it('relays five tunnels (half-close included) with no MaxListenersExceededWarning', async () => {
    for (let i = 0; i < 5; i++) expect(await tunnelOnce(proxy.port, port)).toBe('got ping');
    await proxy.waitFor((l) => l.type === 'close' && proxy.engine.lines().filter((x) => x.type === 'close').length >= 5);
    // Warnings are emitted on the next tick after the listener is added.
    await new Promise((r) => setTimeout(r, 50));
    expect(maxListenerWarnings()).toEqual([]);
  });

  it('relays intercepted WebSockets (wss://) with no MaxListenersExceededWarning', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    for (let i = 0; i < 3; i++) {
      const socket = await tlsThroughProxy(proxy.port, 'ws.app.test:443', ca, ['http/1.1']);
      const ws = new WebSocket('wss://ws.app.test/chat', { createConnection: () => socket });
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send(`ping ${i}`));
        ws.once('message', (d) => resolve(d.toString()));
        ws.once('error', reject);
      });
      expect(reply).toBe(`echo: ping ${i}`);
      ws.close();
    }
    await proxy.waitFor((l) => l.type === 'websocket' && l.phase === 'closed' && proxy.engine.lines().filter((x) => x.type === 'websocket' && x.phase === 'closed').length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(maxListenerWarnings()).toEqual([]);
  });
});
