// A relayed tunnel whose backend refuses the connection is recorded as an `error` line
// naming it ("tunnel to H:P failed: …") before its close. It was not: the check ran on
// `socket.connecting`, which Node has already cleared when a failed connect reports.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('a tunnel to a closed port', () => {
  let proxy: TestEngine;
  let closedPort: number;
  beforeAll(async () => {
    // A port that was just free: nothing listens there any more.
    const s = net.createServer();
    closedPort = await listenLoopback(s);
    await new Promise<void>((r) => s.close(() => r()));
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('records why it failed, and the client is closed', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const c = net.connect({ port: proxy.port, host: '127.0.0.1' });
      const timer = setTimeout(() => resolve(false), 5000);
      c.on('error', () => undefined);
      c.on('data', () => undefined);
      c.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      // Not TLS: the proxy relays it untouched, so it connects to the closed port.
      c.write(`CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\nHost: 127.0.0.1:${closedPort}\r\n\r\nhello`);
    });
    expect(closed).toBe(true);
    const line = await proxy.waitFor((l) => l.type === 'error' && l.message.startsWith(`tunnel to 127.0.0.1:${closedPort} failed:`));
    expect(line.type === 'error' && line.message).toMatch(/ECONNREFUSED/);
  });
});
