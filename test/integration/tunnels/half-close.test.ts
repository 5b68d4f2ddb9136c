// A tunnelled (non-TLS or passthrough) client that half-closes after its request — `nc -N`,
// shutdown(SHUT_WR) — must still get the backend's answer: the FIN is passed on, and the
// connection ends when both directions are done, as it would without the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('half-closed tunnels', () => {
  let backend: net.Server;
  let port: number;
  let proxy: TestEngine;
  beforeAll(async () => {
    // Answers only once the client has finished sending (reads to EOF, then replies).
    backend = net.createServer({ allowHalfOpen: true }, (c) => {
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      c.on('end', () => c.end(`got ${Buffer.concat(got).toString()}`));
      c.on('error', () => undefined);
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  it('relays the answer sent after the client half-closed, then records the close', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
      let buf = '';
      let established = false;
      const timer = setTimeout(() => s.destroy(), 5000);
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (!established && buf.includes('\r\n\r\n')) {
          established = true;
          buf = '';
          s.end('ping');
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        clearTimeout(timer);
        resolve(buf);
      });
      s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    });
    expect(reply).toBe('got ping');
    const close = await proxy.waitFor((l) => l.type === 'close');
    expect(close).toMatchObject({ bytesFromClient: 4, bytesToClient: 8 });
  });
});
