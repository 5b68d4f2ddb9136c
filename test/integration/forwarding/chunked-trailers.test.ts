// HTTP/1.1 chunked trailers are end-to-end: a backend's trailer fields reach the client,
// and a client's request trailers reach the backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { rawExchange } from '../../helpers/raw.js';
import { listenLoopback } from '../../helpers/listen.js';

const exchange = (port: number, text: string): Promise<string> => rawExchange(port, text, 5000);

describe('chunked trailers', () => {
  let backend: http.Server;
  let port: number;
  let proxy: TestEngine;
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { Trailer: 'X-Checksum' });
        res.write(`request trailer=${String(req.trailers['x-request-sum'])};`);
        res.addTrailers({ 'X-Checksum': 'abc123' });
        res.end();
      });
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  it('passes response and request trailers through', async () => {
    const text = await exchange(proxy.port,
      `POST http://127.0.0.1:${port}/t HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
      `2\r\nhi\r\n0\r\nX-Request-Sum: r42\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('request trailer=r42;');
    expect(text).toMatch(/\r\n0\r\nX-Checksum: abc123\r\n\r\n$/i);
  });
});
