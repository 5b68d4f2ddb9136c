// SPEC safety rules: slow clients get an error or a close. The headers timeout must hold
// inside intercepted TLS connections too, not only for plain requests to the listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';

describe('slow clients inside an intercepted TLS connection', () => {
  let origin: Origin;
  let proxy: TestEngine;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startEngine({ scenario: 'trusted', headersTimeout: 1 });
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  it('cuts off a client that never finishes its request headers', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const started = Date.now();
    const result = await new Promise<{ closed: boolean; text: string }>((resolve) => {
      const s = net.connect(proxy.port, '127.0.0.1');
      s.on('error', () => undefined);
      let text = '';
      const timer = setTimeout(() => {
        s.destroy();
        resolve({ closed: false, text });
      }, 6000);
      s.once('data', () => {
        const t = tls.connect({ socket: s, servername: 'localhost', ca });
        t.on('error', () => undefined);
        t.on('data', (c: Buffer) => (text += c.toString('latin1')));
        t.once('secureConnect', () => t.write('GET /stuck HTTP/1.1\r\nHost: localhost\r\nX-Half: '));
        t.on('close', () => {
          clearTimeout(timer);
          resolve({ closed: true, text });
        });
      });
      s.write(`CONNECT localhost:${origin.port} HTTP/1.1\r\n\r\n`);
    });
    expect(result.closed).toBe(true);
    expect(result.text === '' || result.text.startsWith('HTTP/1.1 408 ')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
