// The websocket line's URL for an IPv6 backend has the address in brackets
// (`ws://[::1]:PORT/chat`, docs/formats.md): without them the URL does not parse and the
// HAR export and the UI cannot name the host. A plain-HTTP upgrade through the proxy to a
// `ws` server on ::1.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { RequestEvent, WebSocketEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';

let proxy: TestEngine;
let server: http.Server;
let wss: WebSocketServer;
let port: number;

beforeAll(async () => {
  server = http.createServer();
  wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
  await new Promise<void>((ok) => server.listen(0, '::1', ok));
  port = (server.address() as AddressInfo).port;
  proxy = await startEngine({ scenario: 'trusted' });
});
afterAll(async () => {
  await proxy?.close();
  wss?.close();
  server?.close();
});

describe('WebSocket to an IPv6 backend', () => {
  it('records ws://[::1]:PORT/… for the upgrade and the request line', async () => {
    const s = net.connect(proxy.port, '127.0.0.1');
    const head = await new Promise<string>((resolve, reject) => {
      let text = '';
      s.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      s.once('error', reject);
      s.write(`GET http://[::1]:${port}/chat HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    });
    s.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    const open = (await proxy.waitFor((l) => l.type === 'websocket' && l.phase === 'open')) as WebSocketEvent;
    expect(open.url).toBe(`ws://[::1]:${port}/chat`);
    expect(new URL(open.url).hostname).toBe('[::1]');
    const req = proxy.engine.lines().find((l): l is RequestEvent => l.type === 'request' && l.id === open.request);
    expect(req?.url).toBe(`http://[::1]:${port}/chat`);
  });
});
