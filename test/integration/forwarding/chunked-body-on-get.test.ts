// A request body sent chunked on a method Node does not frame by default (GET, DELETE,
// OPTIONS) must reach the backend as that request's body — never as raw bytes the backend
// reads as a second, smuggled request on the same connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { rawExchange } from '../../helpers/raw.js';
import { listenLoopback } from '../../helpers/listen.js';

const exchange = (port: number, text: string): Promise<string> => rawExchange(port, text, 5000);

describe('chunked request bodies on GET/DELETE', () => {
  let backend: http.Server;
  let port: number;
  const seen: string[] = [];
  let proxy: TestEngine;
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} [${Buffer.concat(body).toString()}]`);
        res.end(`${req.method} ${req.url} body=[${Buffer.concat(body).toString()}]`);
      });
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  for (const method of ['GET', 'DELETE']) {
    it(`forwards a chunked ${method} body as the body, not as a second request`, async () => {
      seen.length = 0;
      const smuggled = `GET /admin HTTP/1.1\r\nHost: x\r\n\r\n`;
      const chunk = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
      const text = await exchange(proxy.port, `${method} http://127.0.0.1:${port}/q HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}`);
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text).toContain(`${method} /q body=[GET /admin HTTP/1.1`);
      await new Promise((ok) => setTimeout(ok, 200));
      expect(seen).toEqual([`${method} /q [${smuggled}]`]);
      const req = await proxy.waitFor((l) => l.type === 'request' && l.method === method);
      expect(req.type === 'request' && req.body.data).toBe(smuggled);
    });
  }
});
