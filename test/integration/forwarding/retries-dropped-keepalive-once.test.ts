// A pooled upstream connection that the backend has dropped fails on reuse; an idempotent,
// body-less request is retried once on a fresh connection instead of becoming a 502.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Socket } from 'node:net';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { run } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('upstream keep-alive reuse', () => {
  let backend: http.Server;
  let port: number;
  let proxy: TestEngine;
  const served = new WeakMap<Socket, number>();
  let connections = 0;

  beforeAll(async () => {
    // Answers the first request on a connection, and resets the connection on the second:
    // what a backend with a short keep-alive timeout looks like to a pool that reuses late.
    backend = http.createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      res.end(`${req.method} ${req.url} ok\n`);
    });
    backend.on('connection', () => connections++);
    port = await listenLoopback(backend);
    proxy = await startEngine();
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  it('retries a GET once on a fresh connection', async () => {
    const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, `http://127.0.0.1:${port}/a`, `http://127.0.0.1:${port}/b`]);
    expect(r.stdout).toBe('GET /a ok\nGET /b ok\n');
    expect(connections).toBe(2);
  });

  it('does not replay a POST with a body (the client gets the 502)', async () => {
    const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, `http://127.0.0.1:${port}/c`, '-d', 'x=1', `http://127.0.0.1:${port}/d`, '-w', '%{http_code}\n']);
    // The first POST opens (or reuses) a connection; whichever request meets a reset is not replayed.
    expect(r.stdout).toMatch(/502/);
  });
});
