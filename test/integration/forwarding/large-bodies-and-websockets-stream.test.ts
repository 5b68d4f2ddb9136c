// Large bodies stream with backpressure, and WebSockets pass through, with real clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { sendRepeated, startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { run, spawnProxy } from '../../helpers/run.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import type { ResponseEvent, WebSocketEvent } from '../../../proxy/session/events.js';
import { tlsThroughProxy } from '../../helpers/h2.js';

const MiB = 1024 * 1024;

/** 1 MiB of incompressible bytes; the download is this block repeated. */
const BLOCK = Buffer.concat(Array.from({ length: MiB / 64 }, (_, i) => createHash('sha512').update(String(i)).digest()));

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

describe('streaming through the proxy', () => {
  let origin: Origin;
  const SIZE = 100 * MiB;
  const expected = createHash('sha256');
  for (let i = 0; i < SIZE / MiB; i++) expected.update(BLOCK);
  const expectedSha = expected.digest('hex');

  beforeAll(async () => {
    origin = await startOrigin((_req, res) => sendRepeated(res, BLOCK, SIZE));
  });
  afterAll(async () => {
    await origin.close();
  });

  it('delivers a 100 MiB download intact while the proxy process stays small', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-stream-'));
    const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', join(dataDir, 's.jsonl'), '--upstream-ca', testPki().caCertPath]);
    try {
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
      // A throttled reader, so the proxy must hold the backend back instead of buffering.
      const r = await run('sh', ['-c', `curl -sS --limit-rate 60M --proxy http://127.0.0.1:${port} --cacert ${join(dataDir, 'ca', 'pinprobe-ca.pem')} https://localhost:${origin.port}/big | sha256sum`], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.split(' ')[0]).toBe(expectedSha);
      const mem = rssKiB(p.child.pid!);
      // Peak resident memory of the whole proxy process, body cap (1 MiB) included.
      expect(mem.hwm).toBeLessThan(150 * 1024);
    } finally {
      p.child.kill('SIGINT');
      await p.exited;
    }
    const lines = readFileSync(join(dataDir, 's.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const res = lines.find((l) => l.type === 'response') as ResponseEvent;
    expect(res.body.size).toBe(SIZE);
    expect(res.body.truncated).toBe(true);
    expect(Buffer.from(res.body.data, res.body.encoding === 'base64' ? 'base64' : 'utf8').length).toBeLessThanOrEqual(MiB);
  }, 180_000);
});

describe('WebSocket through the proxy', () => {
  let proxy: TestEngine;
  let wsOrigin: { port: number; close(): void };

  beforeAll(async () => {
    const pki = testPki();
    const server = (await import('node:https')).createServer({ cert: pki.serverCert, key: pki.serverKey });
    const wss = new WebSocketServer({
      server,
      handleProtocols: (protocols) => (protocols.has('echo.v2') ? 'echo.v2' : false),
      verifyClient: (info, cb) => (info.req.url === '/forbidden' ? cb(false, 403, 'Forbidden') : cb(true)),
    });
    wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(binary ? data : `echo: ${data.toString()}`)));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    wsOrigin = { port: (server.address() as AddressInfo).port, close: () => { wss.close(); server.close(); } };
    proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'ws.app.test', to: `127.0.0.1:${wsOrigin.port}` }] });
  });
  afterAll(async () => {
    await proxy.close();
    wsOrigin.close();
  });

  it('echoes messages with the server-chosen subprotocol and records the upgrade', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const socket = await tlsThroughProxy(proxy.port, 'ws.app.test:443', ca, ['http/1.1']);
    const ws = new WebSocket('wss://ws.app.test/chat', ['echo.v2', 'other'], { createConnection: () => socket });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('ping'));
      ws.once('message', (d) => resolve(d.toString()));
      ws.once('error', reject);
    });
    expect(reply).toBe('echo: ping');
    expect(ws.protocol).toBe('echo.v2');
    ws.close();
    const open = (await proxy.waitFor((l) => l.type === 'websocket' && l.phase === 'open')) as WebSocketEvent;
    expect(open).toMatchObject({ status: 101, url: 'wss://ws.app.test:443/chat' });
    const closed = (await proxy.waitFor((l) => l.type === 'websocket' && l.phase === 'closed')) as WebSocketEvent;
    expect(closed.bytesFromClient).toBeGreaterThan(0);
    expect(closed.bytesToClient).toBeGreaterThan(0);
  });

  it('passes a refused upgrade back to the client with the server status', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const socket = await tlsThroughProxy(proxy.port, 'ws.app.test:443', ca, ['http/1.1']);
    const ws = new WebSocket('wss://ws.app.test/forbidden', { createConnection: () => socket });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    expect(status).toBe(403);
    const refused = (await proxy.waitFor((l) => l.type === 'websocket' && l.phase === 'refused')) as WebSocketEvent;
    expect(refused.status).toBe(403);
  });
});
