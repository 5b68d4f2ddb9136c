// The bus's request/response hooks on a real engine: a request hook's header edit reaches
// the backend and the recorded request line; a response hook sees each finished exchange,
// the backend's answer and Pinprobe's own 502 alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { Exchange } from '../../../proxy/net/http-exchange.js';
import type { RequestEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';
import { rawExchange } from '../../helpers/raw.js';

describe('request/response hooks', () => {
  let backend: http.Server;
  let port: number;
  let proxy: TestEngine;
  const done: Array<{ id: string; status: number | undefined; synthetic: boolean | undefined; body: number }> = [];
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      req.resume();
      res.end(`probe=${String(req.headers['x-probe'])} cookie=${String(req.headers.cookie)}`);
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted' });
    proxy.engine.bus.hooks.request.push((ex: Exchange) => {
      ex.request.headers = ex.request.headers.filter(([k]) => k.toLowerCase() !== 'cookie');
      ex.request.headers.push(['X-Probe', ex.id]);
    });
    proxy.engine.bus.hooks.response.push((ex: Exchange) =>
      done.push({ id: ex.id, status: ex.response?.status, synthetic: ex.response?.synthetic, body: ex.responseBody.size }));
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  it('forwards and records the headers as a request hook left them', async () => {
    const text = await rawExchange(proxy.port,
      `GET http://127.0.0.1:${port}/h HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: s=1\r\nConnection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const id = /probe=(r\d+) cookie=undefined$/.exec(text)?.[1];
    expect(id).toBeDefined();
    const line = await proxy.waitFor((l: SessionLine): l is RequestEvent => l.type === 'request' && l.id === id);
    expect(line.headers.map(([k]) => k.toLowerCase())).toEqual(['host', 'x-probe']);
    await proxy.waitFor((l) => l.type === 'response' && l.id === id);
    await expect.poll(() => done.find((d) => d.id === id)).toEqual({ id, status: 200, synthetic: false, body: `probe=${String(id)} cookie=undefined`.length });
  });

  it('runs the response hook for a 502 Pinprobe wrote itself', async () => {
    // A port nothing listens on: connection refused, a synthetic 502.
    const free = net.createServer();
    const closed = await listenLoopback(free);
    await new Promise((ok) => free.close(ok));
    const text = await rawExchange(proxy.port, `GET http://127.0.0.1:${closed}/ HTTP/1.1\r\nHost: 127.0.0.1:${closed}\r\nConnection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 502 /);
    await expect.poll(() => done.find((d) => d.status === 502)).toMatchObject({ synthetic: true });
  });
});
