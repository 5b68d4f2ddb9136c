// The upstream timeout bounds the wait for a backend's connection and answer headers. A
// response that is already streaming (server-sent events, a slow download, long-poll
// chunks) may pause longer than that without being cut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('upstream timeout and streaming bodies', () => {
  let backend: http.Server;
  let port: number;
  let proxy: TestEngine;
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      if (req.url === '/never') return; // no answer at all: the timeout must still fire
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      const t = setTimeout(() => res.end('data: two\n\n'), 1200);
      res.on('close', () => clearTimeout(t));
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted', upstreamTimeout: 0.5 });
  });
  afterAll(async () => {
    await proxy.close();
    backend.closeAllConnections();
    backend.close();
  });

  it('keeps a streaming response that pauses longer than the upstream timeout', async () => {
    const r = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/events`);
    expect(r.stdout).toBe('data: one\n\ndata: two\n\n');
    const res = await proxy.waitFor((l) => l.type === 'response' && l.status === 200);
    expect(res.type === 'response' && res.body.data).toBe('data: one\n\ndata: two\n\n');
  });

  it('still answers 502 when the backend sends no headers within the timeout', async () => {
    const r = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/never`, ['-i']);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502 /);
  });
});
